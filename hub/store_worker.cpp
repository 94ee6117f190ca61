#include "hub/store_worker.h"

#include <memory>

namespace epsync::hub {

namespace {
constexpr size_t kGroupRowChanges = 16384;
}  // namespace

StoreWorker::StoreWorker(HubStore& hub, Disposer dispose, WalSyncer* syncer)
    : hub_(hub), dispose_(std::move(dispose)), syncer_(syncer), thread_([this] { run(); }) {}

StoreWorker::~StoreWorker() { stop(); }

void StoreWorker::submit_push(PushJob job, std::function<void(Result<PushAnswer>)> done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    pushes_.emplace_back(std::move(job), std::move(done));
  }
  cv_.notify_one();
}

void StoreWorker::submit(std::function<void(HubStore&)> work) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    work_.push_back(std::move(work));
  }
  cv_.notify_one();
}

void StoreWorker::when_durable(WalSyncer::Done answer) {
  worker_thread_.assert_on_owner_thread();
  if (syncer_) syncer_->when_durable(std::move(answer));
  else answer(Status::Ok());  // commits sync in place: what is written is durable already
}

void StoreWorker::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void StoreWorker::run() {
  worker_thread_.bind(std::this_thread::get_id());
  for (;;) {
    std::vector<std::pair<PushJob, std::function<void(Result<PushAnswer>)>>> pushes;
    std::deque<std::function<void(HubStore&)>> work;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !pushes_.empty() || !work_.empty(); });
      if (pushes_.empty() && work_.empty() && stopping_) return;
      // A group commit takes the pushes waiting, up to about kGroupRowChanges row changes: enough
      // to share one fsync among many batches and sessions, small enough that the first acks
      // go out while more batches still wait, so a pipelining agent keeps this thread busy.
      size_t take = 0, rows = 0;
      while (take < pushes_.size() && (take == 0 || rows < kGroupRowChanges))
        rows += pushes_[take++].first.push.changes.size();
      pushes.assign(std::make_move_iterator(pushes_.begin()), std::make_move_iterator(pushes_.begin() + static_cast<std::ptrdiff_t>(take)));
      pushes_.erase(pushes_.begin(), pushes_.begin() + static_cast<std::ptrdiff_t>(take));
      work.swap(work_);
    }
    if (!pushes.empty()) {
      std::vector<PushJob> jobs;
      jobs.reserve(pushes.size());
      for (auto& p : pushes) jobs.push_back(std::move(p.first));
      auto results = std::make_shared<std::vector<Result<PushAnswer>>>(hub_.commit(jobs));
      ++commits_;
      if (dispose_) dispose_(std::move(jobs));
      auto answers = std::make_shared<std::vector<std::function<void(Result<PushAnswer>)>>>();
      answers->reserve(pushes.size());
      for (auto& p : pushes) answers->push_back(std::move(p.second));
      when_durable([results, answers](const Status& synced) {
        for (size_t i = 0; i < answers->size(); ++i)
          (*answers)[i](synced.ok() ? std::move((*results)[i]) : Result<PushAnswer>(synced));
      });
    }
    for (auto& w : work) w(hub_);
  }
}

void WorkerExecutor::run(std::function<void(HubStore&)> work, Durable reply) {
  if (!reply) return worker_.submit(std::move(work));
  worker_.submit([this, work = std::move(work), reply = std::move(reply)](HubStore& hub) mutable {
    work(hub);
    worker_.when_durable([this, reply = std::move(reply)](const Status& synced) mutable {
      if (!synced.ok()) failed_(synced);
      post_([reply = std::move(reply), synced] { reply(synced); });
    });
  });
}

void WorkerExecutor::commit(PushJob job, std::function<void(Result<PushAnswer>)> reply) {
  worker_.submit_push(std::move(job), [this, reply = std::move(reply)](Result<PushAnswer> r) mutable {
    if (!r.ok()) failed_(r.status());
    post_([reply = std::move(reply), r = std::make_shared<Result<PushAnswer>>(std::move(r))]() mutable {
      reply(std::move(*r));
    });
  });
}

}  // namespace epsync::hub
