// The hub's single store thread: every store access of the daemon runs here, so the io thread
// never blocks on SQLite. Pushed batches from all sessions that wait together are committed in
// one transaction (group commit) and acknowledged only after that commit is durable. With a
// WalSyncer, the commit's fsync runs on the syncer's thread while this one applies the next group.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "hub/hub_store.h"
#include "hub/session_handler.h"
#include "storage/thread_owner.h"
#include "storage/wal_sync.h"

namespace epsync::hub {

class StoreWorker {
 public:
  // `dispose` takes each committed group's batches, to free them elsewhere: freeing a catch-up's
  // row changes is 3% of this thread's work. By default they are freed here.
  using Disposer = std::function<void(std::vector<PushJob>)>;
  // `syncer`, if given, must have been started on the hub store's connection and outlive this.
  explicit StoreWorker(HubStore& hub, Disposer dispose = {}, WalSyncer* syncer = nullptr);
  ~StoreWorker();
  StoreWorker(const StoreWorker&) = delete;
  StoreWorker& operator=(const StoreWorker&) = delete;

  // `done` runs on the worker's or the syncer's thread once the batch is durable; post back to
  // your own thread from it.
  void submit_push(PushJob job, std::function<void(Result<PushAnswer>)> done);
  void submit(std::function<void(HubStore&)> work);
  // For work given to submit(): `answer` runs once everything written so far is durable (what a
  // reply reports, such as a high-water mark, must not be lost after it was sent); with the
  // error if a sync failed. Call it on the worker's thread (asserted).
  void when_durable(WalSyncer::Done answer);
  // Finishes what is queued (a commit in progress completes), then stops the thread.
  void stop();

  std::uint64_t commits() const { return commits_; }

 private:
  void run();
  HubStore& hub_;
  Disposer dispose_;
  WalSyncer* syncer_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::pair<PushJob, std::function<void(Result<PushAnswer>)>>> pushes_;
  std::deque<std::function<void(HubStore&)>> work_;
  bool stopping_ = false;
  std::uint64_t commits_ = 0;
  ThreadOwner worker_thread_;  // bound by run(), before any work
  std::thread thread_;
};

// The daemon's StoreExecutor: store work on the worker's thread, pushes into its group commits,
// replies once the WAL syncer says durable, posted back to the sessions' thread.
class WorkerExecutor final : public StoreExecutor {
 public:
  using Post = std::function<void(std::function<void()>)>;  // onto the sessions' thread
  using Failed = std::function<void(const Status&)>;        // a store or sync failure, on the worker's thread
  WorkerExecutor(StoreWorker& worker, Post post, Failed failed)
      : worker_(worker), post_(std::move(post)), failed_(std::move(failed)) {}
  void run(std::function<void(HubStore&)> work, Durable reply) override;
  void commit(PushJob job, std::function<void(Result<PushAnswer>)> reply) override;

 private:
  StoreWorker& worker_;
  Post post_;
  Failed failed_;
};

}  // namespace epsync::hub
