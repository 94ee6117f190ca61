#include "storage/store.h"

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>

#include "storage/change_log.h"
#include "storage/dump.h"
#include "storage/schema.h"
#include "support/stores.h"
#include "support/temp_dir.h"
#include "records/model.h"
#include "support/write_txn.h"

using namespace epsync;
using test::read_file_bytes;

namespace {

Status open_existing(const std::string& path) {
  return Store::open(path, eps_store_options()).status();
}

}  // namespace

TEST_CASE("store: a new store gets a schema, an identity and a site id") {
  test::TempDir dir;
  test::FakeClock clock;
  auto s = test::make_store(dir.file("c.db"), clock);
  CHECK(s->site_id().size() == 32);
  auto reopened = Store::open(dir.file("c.db"), eps_store_options());
  REQUIRE(reopened.ok());
  CHECK(reopened.value()->site_id() == s->site_id());
  auto other = test::make_store(dir.file("d.db"), clock);
  CHECK(other->site_id() != s->site_id());
}

TEST_CASE("store: a missing file is not created unless asked") {
  test::TempDir dir;
  Status s = open_existing(dir.file("missing.db"));
  CHECK(s.code() == Status::Code::kNotFound);
  CHECK(s.message().find("epsync init") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("missing.db")));
}

TEST_CASE("store: files that are not epsync stores are refused and left byte-for-byte unchanged") {
  test::TempDir dir;
  SUBCASE("a text file") {
    std::string path = dir.file("notes.txt");
    test::write_file_bytes(path, std::string("iin,surname\n950101300038,Test\n") + std::string(5000, 'x'));
    std::string before = read_file_bytes(path);
    for (bool create : {false, true}) {
      StoreOptions o = eps_store_options();
      o.create = create;
      Status s = Store::open(path, o).status();
      CHECK(s.code() == Status::Code::kCorrupt);
      CHECK(s.message().find("not an epsync store") != std::string::npos);
    }
    CHECK(read_file_bytes(path) == before);
  }
  SUBCASE("another application's SQLite database") {
    std::string path = dir.file("other.db");
    {
      Db::OpenOptions o;
      o.create = true;
      auto db = Db::open(path, o);
      REQUIRE(db.value()->exec("CREATE TABLE accounts (x); INSERT INTO accounts VALUES (1)").ok());
    }
    std::string before = read_file_bytes(path);
    StoreOptions o = eps_store_options();
    o.create = true;
    Status s = Store::open(path, o).status();
    CHECK(s.code() == Status::Code::kCorrupt);
    CHECK(s.message().find("other SQLite database") != std::string::npos);
    CHECK(read_file_bytes(path) == before);
    CHECK_FALSE(std::filesystem::exists(path + "-wal"));
  }
  SUBCASE("an epsync store with a damaged page") {
    std::string path = dir.file("c.db");
    {
      test::FakeClock clock;
      auto s = test::make_store(path, clock);
      test::write_and_commit(*s, [&](WriteTxn& w) {
        for (int i = 0; i < 200; ++i)
          REQUIRE(w.insert("center", "C-" + std::to_string(i), "*",
                           {{"name", std::string(300, 'n')}}).ok());
      });
      REQUIRE(s->db().exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
    }
    std::string bytes = read_file_bytes(path);
    REQUIRE(bytes.size() > 8192);
    for (size_t i = 4096; i < bytes.size(); ++i) bytes[i] = static_cast<char>(0xA5);  // scribble
    test::write_file_bytes(path, bytes);
    auto s = Store::open(path, eps_store_options());
    if (s.ok()) {
      // The header survived, so the damage shows on first use; it must be reported, not ignored.
      auto dump = canonical_dump(*s.value());
      CHECK_FALSE(dump.ok());
      CHECK(dump.status().code() == Status::Code::kCorrupt);
    } else {
      CHECK(s.status().code() == Status::Code::kCorrupt);
    }
    CHECK(read_file_bytes(path) == bytes);
  }
}

TEST_CASE("store: a store from a newer epsync is refused and not modified") {
  test::TempDir dir;
  std::string path = dir.file("c.db");
  {
    test::FakeClock clock;
    auto s = test::make_store(path, clock);
    REQUIRE(s->db().exec("PRAGMA user_version = " + std::to_string(latest_schema_version() + 1)).ok());
    REQUIRE(s->db().exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
  }
  std::string before = read_file_bytes(path);
  Status s = open_existing(path);
  CHECK(s.code() == Status::Code::kVersion);
  CHECK(s.message().find("upgrade epsync") != std::string::npos);
  CHECK(read_file_bytes(path) == before);
}

TEST_CASE("store: migrations run from an empty file and from every earlier schema version") {
  test::TempDir dir;
  test::FakeClock clock;
  // The reference: a store created at the latest version.
  auto fresh = test::make_store(dir.file("fresh.db"), clock);
  auto schema_of = [](Store& s) {
    auto st = s.db().prepare("SELECT type, name, sql FROM sqlite_schema ORDER BY type, name");
    std::string out;
    while (st->step().value()) out += st->column_text(0) + " " + st->column_text(1) + " " + st->column_text(2) + "\n";
    return out;
  };
  std::string want = schema_of(*fresh);
  for (int v = 0; v < latest_schema_version(); ++v) {
    CAPTURE(v);
    std::string path = dir.file("v" + std::to_string(v) + ".db");
    {
      Db::OpenOptions o;
      o.create = true;
      auto db = Db::open(path, o);
      REQUIRE(db.ok());
      REQUIRE(migrate(*db.value(), v).ok());
    }
    StoreOptions o = eps_store_options();
    o.create = v == 0;  // version 0 is an empty file, which only `init` may adopt
    o.clock = clock.fn();
    auto s = Store::open(path, o);
    REQUIRE_MESSAGE(s.ok(), s.status().message());
    CHECK(schema_of(*s.value()) == want);
    auto ver = s.value()->db().prepare("PRAGMA user_version");
    REQUIRE(ver->step().value());
    CHECK(ver->column_int(0) == latest_schema_version());
  }
}

TEST_CASE("store: replicated tables refuse writes that bypass change capture") {
  test::TempDir dir;
  test::FakeClock clock;
  auto s = test::make_store(dir.file("c.db"), clock);
  test::write_and_commit(*s, [&](WriteTxn& w) {
    REQUIRE(w.insert("trainee", "t1", "ALM-014", {{"surname", std::string("A")}}).ok());
  });
  auto before = canonical_dump(*s);
  REQUIRE(before.ok());
  std::int64_t log_before = test::count_rows(*s, "change_log");
  for (const char* sql : {"INSERT INTO trainee (id, iin) VALUES ('x', '950101300038')",
                          "UPDATE trainee SET surname = 'X'", "DELETE FROM trainee"}) {
    CAPTURE(sql);
    Status st = s->db().exec(sql);
    CHECK_FALSE(st.ok());
    CHECK(st.message().find("change capture") != std::string::npos);
  }
  CHECK(canonical_dump(*s).value() == before.value());
  CHECK(test::count_rows(*s, "change_log") == log_before);
}

TEST_CASE("store: a site first seen in a part rolled back to its savepoint is interned again, not dangling") {
  test::TempDir dir;
  test::FakeClock clock;
  auto s = test::make_store(dir.file("hub.db"), clock);
  StoreTxn txn(*s);
  REQUIRE(txn.begin().ok());
  auto kept = s->site_key("a1");
  REQUIRE(kept.ok());
  REQUIRE(txn.savepoint("part").ok());
  auto undone = s->site_key("b2");
  REQUIRE(undone.ok());
  REQUIRE(txn.rollback_to("part").ok());
  // The row for b2 is gone with the part; its key must not be handed out from memory.
  auto again = s->site_key("b2");
  REQUIRE(again.ok());
  CHECK(test::count_rows(*s, "site WHERE id = " + std::to_string(again.value()) + " AND uuid = 'b2'") == 1);
  CHECK(s->site_key("a1").value() == kept.value());
  REQUIRE(txn.commit().ok());
  CHECK(s->site_uuid(again.value()).value() == "b2");
}

TEST_CASE("schema: column lookups find every column and nothing else, shared hash slots included") {
  int scanned = 0;
  for (const auto& t : replicated_tables()) {
    for (size_t i = 0; i < t.columns.size(); ++i) {
      const std::string& name = t.columns[i].name;
      CHECK(t.column_index(name) == static_cast<int>(i));
      if (t.by_slot[TableDef::name_slot(name)] == 0) ++scanned;
      // A name with the same slot (length, first and last letter) but another middle.
      std::string twin = name;
      if (twin.size() > 2) {
        twin[1] = twin[1] == 'x' ? 'y' : 'x';
        CHECK(t.column_index(twin) == -1);
      }
    }
    CHECK(t.column_index("") == -1);
    CHECK(t.column_index("id") == -1);  // the key is not a replicated column
    CHECK(t.column_index("versions") == -1);
  }
  // The slots are a speed-up only: a table built without them still finds its columns by scanning.
  TableDef plain{"t", false, {{"a", ColumnType::kText, {}}, {"bb", ColumnType::kText, {}}}};
  CHECK(plain.column_index("bb") == 1);
  CHECK(plain.column_index("c") == -1);
  MESSAGE(scanned << " columns share a slot and are found by scanning");
}

TEST_CASE("store: row ids carry the time and strictly increase, many in one millisecond included") {
  const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  std::string prev = new_row_id();
  for (int i = 0; i < 100000; ++i) {  // far more than one millisecond holds at this speed
    std::string id = new_row_id();
    REQUIRE(id.size() == 32);
    REQUIRE(id.find_first_not_of("0123456789abcdef") == std::string::npos);
    REQUIRE(id > prev);
    prev = id;
  }
  const auto after = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
  const auto stamped = static_cast<long long>(std::stoull(prev.substr(0, 12), nullptr, 16));
  CHECK(stamped >= before);
  CHECK(stamped <= after + 1);  // at most one millisecond borrowed
  // Random ids (sites, epochs) stay random: two in a row share no long prefix.
  CHECK(new_random_id().substr(0, 12) != new_random_id().substr(0, 12));
}
