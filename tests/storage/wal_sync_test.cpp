// The WAL's fsync on a thread of its own: nothing waiting on a commit is answered before a sync
// that began after the commit has finished, and after a failed sync nothing is answered as done.
#include "storage/wal_sync.h"

#include <doctest/doctest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>

#include "storage/change_log.h"
#include "support/held_sync.h"
#include "support/stores.h"
#include "support/temp_dir.h"
#include "support/write_txn.h"

using namespace epsync;

namespace {

using test::Gate;

struct Answer {
  std::promise<Status> promise;
  std::future<Status> future = promise.get_future();
  WalSyncer::Done done() {
    return [this](const Status& s) { promise.set_value(s); };
  }
  bool given(std::chrono::milliseconds within) { return future.wait_for(within) == std::future_status::ready; }
};

struct Hub {
  test::TempDir dir;
  test::FakeClock clock;
  const std::string path = dir.file("hub.db");
  std::unique_ptr<Store> store = test::make_store(path, clock);
  int next = 0;
  void write() {
    test::write_and_commit(*store, [&](WriteTxn& w) {
      REQUIRE(w.insert("korean_course", "k" + std::to_string(next++), "ALM-014", {{"level", std::string("A1")}}).ok());
    });
  }
  std::int64_t synchronous() {
    auto st = store->db().prepare("PRAGMA synchronous");
    REQUIRE(st.ok());
    REQUIRE(st->step().value());
    return st->column_int(0);
  }
};

// A syncer whose fsyncs wait at `gate`, started on the hub's store, then one write committed.
Result<std::unique_ptr<WalSyncer>> start_gated_after_a_write(Hub& h, Gate& gate) {
  auto syncer = WalSyncer::start(h.store->db(), gate.fn());
  REQUIRE(syncer.ok());
  h.write();
  return syncer;
}

}  // namespace

TEST_CASE("wal sync: an answer waits for a sync that began after the commit it waits on") {
  Hub h;
  Gate gate;
  auto syncer = WalSyncer::start(h.store->db(), gate.fn());
  REQUIRE_MESSAGE(syncer.ok(), syncer.status().message());
  CHECK(h.synchronous() == 1);  // NORMAL: commits leave the WAL unsynced, checkpoints still sync
  // The first answer syncs even with nothing new: an earlier process may have died before its sync.
  Answer at_start;
  (*syncer)->when_durable(at_start.done());
  gate.wait_for_calls(1);
  CHECK_FALSE(at_start.given(std::chrono::milliseconds(50)));
  gate.let_one_through();
  REQUIRE(at_start.given(std::chrono::seconds(5)));
  CHECK((*syncer)->syncs() == 1);
  h.write();
  Answer first, second, third;
  (*syncer)->when_durable(first.done());
  (*syncer)->when_durable(second.done());  // nothing new written: the same sync answers it
  CHECK_FALSE(first.given(std::chrono::milliseconds(100)));
  CHECK_FALSE(second.given(std::chrono::milliseconds(0)));
  gate.let_through();
  REQUIRE(first.given(std::chrono::seconds(5)));
  REQUIRE(second.given(std::chrono::seconds(5)));
  CHECK(first.future.get().ok());
  CHECK(second.future.get().ok());
  CHECK((*syncer)->syncs() == 2);
  // Everything is on disk now: a later answer with nothing new written needs no sync.
  (*syncer)->when_durable(third.done());
  REQUIRE(third.given(std::chrono::seconds(5)));
  CHECK((*syncer)->syncs() == 2);
  // A new write needs a new sync.
  h.write();
  Answer fourth;
  (*syncer)->when_durable(fourth.done());
  REQUIRE(fourth.given(std::chrono::seconds(5)));
  CHECK((*syncer)->syncs() == 3);
  syncer->reset();
  CHECK(h.synchronous() == 2);  // FULL again: the writer's commits sync themselves
}

TEST_CASE("wal sync: after a failed sync every answer is the failure, and the hub can tell it apart") {
  Hub h;
  Gate gate;
  gate.result = -1;
  gate.let_through();
  auto syncer = WalSyncer::start(h.store->db(), gate.fn());
  REQUIRE(syncer.ok());
  h.write();
  Answer first, later;
  (*syncer)->when_durable(first.done());
  REQUIRE(first.given(std::chrono::seconds(5)));
  Status s = first.future.get();
  CHECK(s.code() == Status::Code::kIoError);
  CHECK(is_wal_sync_failure(s));
  CHECK(s.message().find("Input/output error") != std::string::npos);
  // Nothing new written, and still no answer but the failure: the kernel may have dropped pages.
  (*syncer)->when_durable(later.done());
  REQUIRE(later.given(std::chrono::seconds(5)));
  CHECK(is_wal_sync_failure(later.future.get()));
  CHECK(gate.calls == 1);
  CHECK_FALSE(is_wal_sync_failure(Status::IoError("disk full")));
}

TEST_CASE("wal sync: stopping syncs and answers whatever still waits") {
  Hub h;
  Gate gate;
  auto syncer = start_gated_after_a_write(h, gate);
  Answer waiting;
  (*syncer)->when_durable(waiting.done());
  std::thread opener([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    gate.let_through();
  });
  syncer->reset();  // blocks until the sync is through
  opener.join();
  REQUIRE(waiting.given(std::chrono::seconds(0)));
  CHECK(waiting.future.get().ok());
}

TEST_CASE("wal sync: the real fdatasync, and a store not in WAL mode is refused") {
  Hub h;
  {
    auto syncer = WalSyncer::start(h.store->db());
    REQUIRE(syncer.ok());
    h.write();
    Answer a;
    (*syncer)->when_durable(a.done());
    REQUIRE(a.given(std::chrono::seconds(10)));
    CHECK(a.future.get().ok());
    CHECK((*syncer)->syncs() == 1);  // the write came before the first answer: one sync for both
  }
  Db::OpenOptions create;
  create.create = true;
  auto plain = Db::open(h.dir.file("plain.db"), create);
  REQUIRE(plain.ok());
  REQUIRE((*plain)->exec("PRAGMA journal_mode = DELETE; CREATE TABLE t (x)").ok());
  auto refused = WalSyncer::start(**plain);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("WAL") != std::string::npos);
}

TEST_CASE("wal sync: a WAL file replaced behind the store's back fails the sync") {
  Hub h;
  auto syncer = WalSyncer::start(h.store->db());
  REQUIRE(syncer.ok());
  h.write();
  // Another file now carries the WAL's name; the store still writes the one it has open.
  std::filesystem::rename(h.path + "-wal", h.path + "-wal.moved");
  { std::ofstream(h.path + "-wal") << "not ours"; }
  Answer a;
  (*syncer)->when_durable(a.done());
  REQUIRE(a.given(std::chrono::seconds(10)));
  Status s = a.future.get();
  CHECK(is_wal_sync_failure(s));
  std::filesystem::remove(h.path + "-wal");
  std::filesystem::rename(h.path + "-wal.moved", h.path + "-wal");
}

TEST_CASE("wal sync: a commit made while a sync runs waits for the next sync") {
  Hub h;
  Gate gate;
  auto syncer = start_gated_after_a_write(h, gate);
  Answer before, during;
  (*syncer)->when_durable(before.done());
  gate.wait_for_calls(1);  // the sync for `before` has begun
  h.write();
  (*syncer)->when_durable(during.done());
  gate.let_one_through();
  REQUIRE(before.given(std::chrono::seconds(5)));
  CHECK_FALSE(during.given(std::chrono::milliseconds(200)));  // its commit came after that sync began
  gate.wait_for_calls(2);
  gate.let_one_through();
  REQUIRE(during.given(std::chrono::seconds(5)));
  CHECK(during.future.get().ok());
  CHECK((*syncer)->syncs() == 2);
}

TEST_CASE("wal sync: a store opened through a symlink syncs the WAL beside the real file") {
  test::TempDir dir;
  test::FakeClock clock;
  std::filesystem::create_directory(dir.file("real"));
  std::filesystem::create_directory(dir.file("links"));
  const std::string link = dir.file("links/hub.db");
  { auto made = test::make_store(dir.file("real/hub.db"), clock); }
  std::filesystem::create_symlink(dir.file("real/hub.db"), link);
  auto store = test::make_store(link, clock);
  REQUIRE(std::filesystem::exists(dir.file("real/hub.db-wal")));
  CHECK_FALSE(std::filesystem::exists(link + "-wal"));
  auto syncer = WalSyncer::start(store->db());
  REQUIRE_MESSAGE(syncer.ok(), syncer.status().message());
  Answer a;
  (*syncer)->when_durable(a.done());
  REQUIRE(a.given(std::chrono::seconds(10)));
  CHECK(a.future.get().ok());
}
