// The hub's side of a sync session above the sans-I/O ServerSession, written once for the daemon
// and the tests: hello -> registry and site binding -> welcome; push -> check_push on the caller's
// thread, commit on the store, ack once durable; pull -> the routed changes; the refusals a centre
// sees. Where store work runs and when it is durable is the StoreExecutor's business: inline in
// the tests, the store thread and the WAL syncer in the daemon (StoreWorker's WorkerExecutor).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "hub/hub_store.h"
#include "sync/server_session.h"

namespace epsync::hub {

// Runs a session's store work. Every reply runs on the session's thread (the one that calls
// SessionHandler::dispatch), once what the work wrote, and all written before it, is durable.
class StoreExecutor {
 public:
  using Durable = std::function<void(const Status& synced)>;  // synced: the sync's failure, if any
  virtual ~StoreExecutor() = default;
  // `work` on the store; then `reply` (may be empty: nothing waits).
  virtual void run(std::function<void(HubStore&)> work, Durable reply) = 0;
  // One checked batch into the next group commit; `reply` with its answer once durable.
  virtual void commit(PushJob job, std::function<void(Result<PushAnswer>)> reply) = 0;
};

// For tests: everything runs at once on the caller's thread and is durable at once
// (synchronous=FULL).
class InlineExecutor final : public StoreExecutor {
 public:
  explicit InlineExecutor(HubStore& hub) : hub_(hub) {}
  void run(std::function<void(HubStore&)> work, Durable reply) override;
  void commit(PushJob job, std::function<void(Result<PushAnswer>)> reply) override;

 private:
  HubStore& hub_;
};

// A pushed batch's outcome, for metrics.
struct PushOutcome {
  const Result<PushAnswer>& answer;
  std::vector<std::pair<std::int64_t, std::size_t>> cells;  // site_seq -> cells, per row change
  std::chrono::steady_clock::time_point submitted;
};

struct SessionFacts {
  std::string peer;                 // "address:port", for the log; "" in memory
  std::int64_t cert_not_after = 0;  // the verified certificate's notAfter (Unix s); 0: not known
  PhysicalClock clock = system_clock();  // the hub's wall clock, for check_push
};

struct SessionHooks {
  std::function<void()> answered;                  // an answer reached the session: send its output
  std::function<void(const PushOutcome&)> pushed;  // a batch was committed, refused or not stored
};

class SessionHandler {
 public:
  SessionHandler(sync::ServerSession& session, StoreExecutor& store, SessionFacts facts, SessionHooks hooks = {});

  // Hands every action the session has to the store; the answers reach the session later (or at
  // once, inline) and more actions are taken then. `keep_alive` is held until each answer is given.
  void dispatch(const std::shared_ptr<void>& keep_alive = {});

 private:
  void on_hello(const std::shared_ptr<void>& keep_alive);
  void on_heartbeat(sync::Heartbeat beat);
  void on_push(sync::Push push, const std::shared_ptr<void>& keep_alive);
  void on_pull(const sync::Pull& pull, const std::shared_ptr<void>& keep_alive);
  void answered(const std::shared_ptr<void>& keep_alive);

  sync::ServerSession& session_;
  StoreExecutor& store_;
  SessionFacts facts_;
  SessionHooks hooks_;
  bool dispatching_ = false;  // an inline answer is given inside dispatch(): no re-entry
};

// The welcome, or why not: unknown-center, unauthorized (a site bound to another centre; logged
// with both centre ids, no mark disclosed), internal.
void answer_hello(const Result<sync::Welcome>& welcome, sync::ServerSession& session);
// The ack, a definite refusal (logged; the session ends), or internal: the batch was not stored
// and the agent sends it again later.
void answer_push(Result<PushAnswer> answer, sync::ServerSession& session);
void answer_pull(Result<sync::Changes> changes, sync::ServerSession& session);

}  // namespace epsync::hub
