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
#include "records/model.h"
#include "support/write_txn.h"

using namespace epsync;

namespace {

// A store whose WAL is fully copied back, and the size of its database file at that point.
struct Copied {
  test::TempDir dir;
  test::FakeClock clock;
  const std::string path = dir.file("hub.db");
  std::unique_ptr<Store> store = test::make_store(path, clock);
  std::uintmax_t size_before = 0;

  explicit Copied(int writer_autocheckpoint = 0) {
    if (writer_autocheckpoint)
      REQUIRE(store->db().exec("PRAGMA wal_autocheckpoint = " + std::to_string(writer_autocheckpoint)).ok());
    REQUIRE(store->db().exec("PRAGMA wal_checkpoint(PASSIVE)").ok());
    size_before = std::filesystem::file_size(path);
  }
  std::uintmax_t size() const { return std::filesystem::file_size(path); }
};

void write_courses(Store& s, int from, int n) {
  test::write_and_commit(s, [&](WriteTxn& w) {
    for (int i = from; i < from + n; ++i)
      REQUIRE(w.insert("korean_course", "k" + std::to_string(i), "ALM-014",
                       {{"trainee_id", std::string("t1")}, {"level", std::string(200, 'x')}}).ok());
  });
}

}  // namespace

TEST_CASE("checkpointer: the writer's commits leave the WAL to the checkpointer's thread") {
  Copied t;
  auto cp = Checkpointer::start(t.store->db(), t.path, 8, 100000);
  REQUIRE_MESSAGE(cp.ok(), cp.status().message());
  write_courses(*t.store, 0, 300);  // well past 8 pages of 16 KiB
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (cp.value()->checkpoints() == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  CHECK(cp.value()->checkpoints() >= 1);
  // Pages were copied back, by the thread: the writer's own limit was never reached.
  CHECK(t.size() > t.size_before);
  cp.value().reset();  // stops; the writer checkpoints on its own commits again

  // Everything written is there for a fresh reader.
  auto reader = Store::open(t.path, eps_store_options());
  REQUIRE(reader.ok());
  CHECK(test::count_rows(*reader.value(), "korean_course") == 300);
}

TEST_CASE("checkpointer: the writer's own commits no longer copy the WAL back") {
  Copied t(10);  // SQLite's own checkpoint, made eager
  auto cp = Checkpointer::start(t.store->db(), t.path, 100000);
  REQUIRE(cp.ok());
  write_courses(*t.store, 0, 3000);
  CHECK(cp.value()->checkpoints() == 0);
  CHECK(t.size() == t.size_before);
  CHECK(std::filesystem::file_size(t.path + "-wal") > 10 * 16384);

  // The control: without the checkpointer the same writes are copied back within the commits.
  cp.value().reset();
  REQUIRE(t.store->db().exec("PRAGMA wal_autocheckpoint = 10").ok());
  write_courses(*t.store, 3000, 3000);
  CHECK(t.size() > t.size_before);
  auto reader = Store::open(t.path, eps_store_options());
  REQUIRE(reader.ok());
  CHECK(test::count_rows(*reader.value(), "korean_course") == 6000);
}

TEST_CASE("checkpointer: past the inline limit the writer's commit copies the WAL back itself") {
  Copied t;
  // The thread's threshold is never reached; the inline limit is.
  auto cp = Checkpointer::start(t.store->db(), t.path, 100000, 10);
  REQUIRE(cp.ok());
  write_courses(*t.store, 0, 3000);
  CHECK(cp.value()->checkpoints() == 0);
  CHECK(t.size() > t.size_before);
}
