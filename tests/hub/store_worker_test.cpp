// The hub's store thread with its WAL syncs on another thread: a pushed batch is acknowledged
// only after a sync that began after its commit, and a failed sync fails the acknowledgement.
#include "hub/store_worker.h"

#include <doctest/doctest.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>

#include "storage/change_log.h"
#include "support/held_sync.h"
#include "support/temp_dir.h"
#include "records/model.h"
#include "support/write_txn.h"

using namespace epsync;

namespace {

using test::Gate;

struct World {
  test::TempDir dir;
  std::unique_ptr<Store> centre;
  std::unique_ptr<hub::HubStore> hub;
  World() {
    StoreOptions o = eps_store_options();
    o.create = true;
    centre = Store::open(dir.file("centre.db"), o).value();
    hub = hub::HubStore::open(dir.file("hub.db")).value();
    REQUIRE(hub->add_center("ALM-014", "almaty", "Almaty college").ok());
    test::write_and_commit(*centre, [&](WriteTxn& w) {
      for (int i = 0; i < 3; ++i)
        REQUIRE(w.insert("korean_course", "k" + std::to_string(i), "ALM-014",
                         {{"trainee_id", std::string("t1")}, {"hours", std::int64_t{i}}}).ok());
    });
  }
  hub::PushJob job() {
    ChangeQuery q;
    q.site = centre->site_id();
    q.limit = 100;
    return hub::PushJob{"ALM-014", centre->site_id(), sync::Push{1, read_changes(*centre, q).value()}};
  }
  std::int64_t held() {
    auto st = hub->store().db().prepare("SELECT count(*) FROM korean_course");
    REQUIRE(st->step().value());
    return st->column_int(0);
  }
};

}  // namespace

TEST_CASE("store worker: a batch is committed at once but acknowledged only once the WAL is synced") {
  World w;
  Gate gate;
  auto syncer = WalSyncer::start(w.hub->store().db(), gate.fn());
  REQUIRE(syncer.ok());
  std::promise<Result<hub::PushAnswer>> acked;
  auto ack = acked.get_future();
  {
    hub::StoreWorker worker(*w.hub, {}, syncer->get());
    worker.submit_push(w.job(), [&](Result<hub::PushAnswer> r) { acked.set_value(std::move(r)); });
    // The worker commits and moves on; the ack waits for the sync.
    CHECK(ack.wait_for(std::chrono::milliseconds(300)) == std::future_status::timeout);
    std::promise<void> applied;
    worker.submit([&](hub::HubStore&) { applied.set_value(); });  // the store thread is free
    REQUIRE(applied.get_future().wait_for(std::chrono::seconds(5)) == std::future_status::ready);
    gate.let_through();
    REQUIRE(ack.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
    worker.stop();
  }
  auto r = ack.get();
  REQUIRE(r.ok());
  CHECK(std::get<sync::Ack>(r.value()).hwm == 3);
  CHECK(w.held() == 3);
}

TEST_CASE("store worker: a failed WAL sync fails the acknowledgement and every answer after it") {
  World w;
  Gate gate;
  gate.result = -1;
  gate.let_through();
  auto syncer = WalSyncer::start(w.hub->store().db(), gate.fn());
  REQUIRE(syncer.ok());
  std::promise<Result<hub::PushAnswer>> acked;
  std::promise<Status> answered;
  {
    hub::StoreWorker worker(*w.hub, {}, syncer->get());
    worker.submit_push(w.job(), [&](Result<hub::PushAnswer> r) { acked.set_value(std::move(r)); });
    worker.submit([&](hub::HubStore&) { worker.when_durable([&](const Status& s) { answered.set_value(s); }); });
    worker.stop();
  }
  syncer->reset();
  auto r = acked.get_future().get();
  REQUIRE_FALSE(r.ok());
  CHECK(is_wal_sync_failure(r.status()));
  CHECK(is_wal_sync_failure(answered.get_future().get()));
}

TEST_CASE("store worker: without a syncer, answers follow the in-commit sync at once") {
  World w;
  std::promise<Result<hub::PushAnswer>> acked;
  std::promise<Status> answered;
  {
    hub::StoreWorker worker(*w.hub);
    worker.submit_push(w.job(), [&](Result<hub::PushAnswer> r) { acked.set_value(std::move(r)); });
    worker.submit([&](hub::HubStore&) { worker.when_durable([&](const Status& s) { answered.set_value(s); }); });
    worker.stop();
  }
  auto r = acked.get_future().get();
  REQUIRE(r.ok());
  CHECK(std::get<sync::Ack>(r.value()).hwm == 3);
  CHECK(answered.get_future().get().ok());
}
