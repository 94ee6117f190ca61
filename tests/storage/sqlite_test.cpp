#include "storage/sqlite.h"

#include <doctest/doctest.h>

#include <functional>
#include <vector>

#include "support/temp_dir.h"

using namespace epsync;

namespace {
// A fresh database file in `dir` holding the tables `schema` creates.
std::unique_ptr<Db> scratch_db(const test::TempDir& dir, const char* schema) {
  Db::OpenOptions o;
  o.create = true;
  auto db = Db::open(dir.file("t.db"), o);
  REQUIRE(db.ok());
  REQUIRE(db.value()->exec(schema).ok());
  return std::move(db).value();
}
}  // namespace

TEST_CASE("sqlite: transactions roll back unless committed") {
  test::TempDir dir;
  auto db = scratch_db(dir, "CREATE TABLE t (v TEXT)");
  {
    Txn txn(*db);
    REQUIRE(txn.begin().ok());
    auto st = db->prepare("INSERT INTO t VALUES (?)");
    REQUIRE(st.ok());
    REQUIRE(st->bind(1, "x').drop('").run().ok());  // bound, never spliced into SQL
  }  // no commit
  auto count = db->prepare("SELECT count(*) FROM t");
  REQUIRE(count->step().value());
  CHECK(count->column_int(0) == 0);
  count->reset();
  {
    Txn txn(*db);
    REQUIRE(txn.begin().ok());
    auto st = db->prepare("INSERT INTO t VALUES (?)");
    REQUIRE(st->bind(1, "it's kept").run().ok());
    REQUIRE(txn.commit().ok());
  }
  REQUIRE(count->step().value());
  CHECK(count->column_int(0) == 1);
}

TEST_CASE("sqlite: errors are classified and explained") {
  test::TempDir dir;
  Db::OpenOptions o;
  o.create = true;
  auto db = Db::open(dir.file("t.db"), o);
  REQUIRE(db.ok());
  REQUIRE(db.value()->exec("CREATE TABLE t (v TEXT PRIMARY KEY)").ok());
  REQUIRE(db.value()->exec("INSERT INTO t VALUES ('a')").ok());
  Status dup = db.value()->exec("INSERT INTO t VALUES ('a')");
  CHECK(dup.code() == Status::Code::kInvalidInput);
  CHECK(dup.message().find("UNIQUE") != std::string::npos);
  auto bad = db.value()->prepare("SELEC nonsense");
  CHECK_FALSE(bad.ok());

  auto missing = Db::open(dir.file("nope/x.db"), Db::OpenOptions{});
  CHECK(missing.status().code() == Status::Code::kNotFound);
}

TEST_CASE("sqlite: values keep their type through a round trip") {
  test::TempDir dir;
  auto db = scratch_db(dir, "CREATE TABLE t (v)");
  std::vector<Value> values = {std::monostate{}, std::int64_t{-42}, 2.5, std::string("Әлия Қайратқызы ё")};
  for (const auto& v : values) {
    auto st = db->prepare("INSERT INTO t VALUES (?)");
    REQUIRE(st->bind(1, v).run().ok());
  }
  auto st = db->prepare("SELECT v FROM t ORDER BY rowid");
  for (const auto& v : values) {
    REQUIRE(st->step().value());
    CHECK(st->column_value(0) == v);
  }
  CHECK(to_literal(std::string("O'Neil")) == "'O''Neil'");
}

TEST_CASE("sqlite: a statement run without clearing its bindings inserts what was bound each time") {
  test::TempDir dir;
  auto db = scratch_db(dir, "CREATE TABLE t (a, b UNIQUE)");
  auto st = db->prepare("INSERT INTO t VALUES (?, ?), (?, ?)");
  for (int round = 0; round < 3; ++round) {
    std::string text = "round " + std::to_string(round);  // bound by reference, gone after the round
    st->bind_ref(1, text).bind(2, std::int64_t{2 * round}).bind_ref(3, text).bind(4, std::int64_t{2 * round + 1});
    REQUIRE(st->run_all_rebound().ok());
  }
  // A failed run resets the statement too, and the next run goes through.
  std::string dup = "dup";
  st->bind_ref(1, dup).bind(2, std::int64_t{0}).bind_ref(3, dup).bind(4, std::int64_t{100});
  CHECK_FALSE(st->run_all_rebound().ok());
  st->bind_ref(1, dup).bind(2, std::int64_t{200}).bind_ref(3, dup).bind(4, std::int64_t{201});
  REQUIRE(st->run_all_rebound().ok());
  auto q = db->prepare("SELECT group_concat(a || ':' || b, ',') FROM (SELECT a, b FROM t ORDER BY b)");
  REQUIRE(q->step().value());
  CHECK(q->column_text(0) == "round 0:0,round 0:1,round 1:2,round 1:3,round 2:4,round 2:5,dup:200,dup:201");
}

namespace {
std::string shout(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}
}  // namespace

TEST_CASE("sqlite: a text function defined on the connection, NULL in NULL out, defined once") {
  test::TempDir dir;
  auto db = scratch_db(dir, "CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('abc'), (NULL), ('Қа z')");
  REQUIRE(db->define_text_function("shout", shout).ok());
  auto st = db->prepare("SELECT shout(v) FROM t ORDER BY rowid");
  REQUIRE(st.ok());
  // Defining it again, with a statement using it open, changes nothing and fails nothing.
  REQUIRE(db->define_text_function("shout", shout).ok());
  REQUIRE(st->step().value());
  CHECK(st->column_text(0) == "ABC");
  REQUIRE(st->step().value());
  CHECK(st->column_is_null(0));
  REQUIRE(st->step().value());
  CHECK(st->column_text(0) == "Қа Z");  // bytes outside a-z pass through whole
  CHECK_FALSE(db->prepare("SELECT no_such_function(v) FROM t").ok());
}
