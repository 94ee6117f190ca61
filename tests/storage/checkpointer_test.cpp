// Checkpoints off the writer's thread: the writer's commits leave the WAL alone, and the
// checkpointer's thread copies it back once a commit crosses the threshold.
#include "storage/checkpointer.h"

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "storage/change_log.h"
#include "support/stores.h"
#include "support/temp_dir.h"

using namespace epsync;

namespace {

// (pages in the WAL, pages of it copied back), as a fresh PASSIVE checkpoint reports them.
std::pair<std::int64_t, std::int64_t> wal_state(Db& db) {
  auto st = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
  REQUIRE(st.ok());
  REQUIRE(st->step().value());
  return {st->column_int(1), st->column_int(2)};
}

void write_courses(Store& s, int from, int n) {
  WriteTxn w(s);
  REQUIRE(w.begin().ok());
  for (int i = from; i < from + n; ++i)
    REQUIRE(w.insert("korean_course", "k" + std::to_string(i), "ALM-014",
                     {{"trainee_id", std::string("t1")}, {"level", std::string(200, 'x')}}).ok());
  REQUIRE(w.commit().ok());
}

}  // namespace

TEST_CASE("checkpointer: the writer's commits leave the WAL to the checkpointer's thread") {
  test::TempDir dir;
  test::FakeClock clock;
  auto s = test::make_store(dir.file("hub.db"), clock);
  auto cp = Checkpointer::start(s->db(), dir.file("hub.db"), 8, 100000);
  REQUIRE_MESSAGE(cp.ok(), cp.status().message());
  write_courses(*s, 0, 300);  // well past 8 pages of 16 KiB
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (cp.value()->checkpoints() == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  CHECK(cp.value()->checkpoints() >= 1);
  cp.value().reset();  // stops; the writer checkpoints on its own commits again

  // Everything written is there for a fresh reader.
  auto reader = Store::open(dir.file("hub.db"));
  REQUIRE(reader.ok());
  CHECK(test::count_rows(*reader.value(), "korean_course") == 300);
}

TEST_CASE("checkpointer: the writer's own commits no longer copy the WAL back") {
  test::TempDir dir;
  test::FakeClock clock;
  const std::string path = dir.file("hub.db");
  auto s = test::make_store(path, clock);
  REQUIRE(s->db().exec("PRAGMA wal_autocheckpoint = 10").ok());  // SQLite's own, made eager
  wal_state(s->db());  // everything so far is copied back
  const auto size_before = std::filesystem::file_size(path);
  auto cp = Checkpointer::start(s->db(), path, 100000);
  REQUIRE(cp.ok());
  write_courses(*s, 0, 3000);
  CHECK(cp.value()->checkpoints() == 0);
  CHECK(std::filesystem::file_size(path) == size_before);
  CHECK(std::filesystem::file_size(path + "-wal") > 10 * 16384);

  // The control: without the checkpointer the same writes are copied back within the commits.
  cp.value().reset();
  REQUIRE(s->db().exec("PRAGMA wal_autocheckpoint = 10").ok());
  write_courses(*s, 3000, 3000);
  CHECK(std::filesystem::file_size(path) > size_before);
  auto reader = Store::open(path);
  REQUIRE(reader.ok());
  CHECK(test::count_rows(*reader.value(), "korean_course") == 6000);
}

TEST_CASE("checkpointer: past the inline limit the writer's commit copies the WAL back itself") {
  test::TempDir dir;
  test::FakeClock clock;
  const std::string path = dir.file("hub.db");
  auto s = test::make_store(path, clock);
  wal_state(s->db());
  const auto size_before = std::filesystem::file_size(path);
  // The thread's threshold is never reached; the inline limit is.
  auto cp = Checkpointer::start(s->db(), path, 100000, 10);
  REQUIRE(cp.ok());
  write_courses(*s, 0, 3000);
  CHECK(cp.value()->checkpoints() == 0);
  CHECK(std::filesystem::file_size(path) > size_before);
}
