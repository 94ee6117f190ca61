// The hub's single store thread: every store access of the daemon runs here, so the io thread
// never blocks on SQLite. Pushed batches from all sessions that wait together are committed in
// one transaction (group commit) and acknowledged only after that commit is durable.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "hub/hub_store.h"

namespace epsync::hub {

class StoreWorker {
 public:
  // `dispose` takes each committed group's batches, to free them elsewhere: freeing a catch-up's
  // row changes is 3% of this thread's work. By default they are freed here.
  using Disposer = std::function<void(std::vector<PushJob>)>;
  explicit StoreWorker(HubStore& hub, Disposer dispose = {});
  ~StoreWorker();
  StoreWorker(const StoreWorker&) = delete;
  StoreWorker& operator=(const StoreWorker&) = delete;

  // `done` runs on the worker thread; post back to your own thread from it.
  void submit_push(PushJob job, std::function<void(Result<sync::Ack>)> done);
  void submit(std::function<void(HubStore&)> work);
  // Finishes what is queued (a commit in progress completes), then stops the thread.
  void stop();

  std::uint64_t commits() const { return commits_; }

 private:
  void run();
  HubStore& hub_;
  Disposer dispose_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::pair<PushJob, std::function<void(Result<sync::Ack>)>>> pushes_;
  std::deque<std::function<void(HubStore&)>> work_;
  bool stopping_ = false;
  std::uint64_t commits_ = 0;
  std::thread thread_;
};

}  // namespace epsync::hub
