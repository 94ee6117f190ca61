#include "hub/session_handler.h"

#include "util/log.h"

namespace epsync::hub {

void InlineExecutor::run(std::function<void(HubStore&)> work, Durable reply) {
  work(hub_);
  if (reply) reply(Status::Ok());
}

void InlineExecutor::commit(PushJob job, std::function<void(Result<PushAnswer>)> reply) {
  std::vector<PushJob> jobs;
  jobs.push_back(std::move(job));
  reply(std::move(hub_.commit(jobs)[0]));
}

void answer_hello(const Result<sync::Welcome>& welcome, sync::ServerSession& session) {
  if (welcome.ok()) return session.accept(welcome.value());
  const Status& s = welcome.status();
  if (s.code() == Status::Code::kNotFound)
    return session.refuse(sync::kErrorUnknownCenter,
                          "centre " + session.center() + " is not registered at this hub (epsync hub center add)");
  if (s.code() == Status::Code::kForbidden) {
    log::warning("refused " + session.center() + ": " + s.message() +
                 "; the store at that centre was copied from another centre's, or the certificate is misused");
    return session.refuse(sync::kErrorUnauthorized,
                          "this store's site id belongs to another centre at this hub; a store copied from another "
                          "centre cannot sync as " + session.center() + " (set it up anew with `epsync restore`)");
  }
  log::error("cannot answer the hello of " + session.center() + ": " + s.message());
  session.abort(sync::kErrorInternal, "hub store unavailable");
}

void answer_push(Result<PushAnswer> answer, sync::ServerSession& session) {
  if (!answer.ok()) {
    log::error("batch from " + session.center() + " not stored: " + answer.status().message());
    return session.abort(sync::kErrorInternal, "batch not stored; it will be sent again");
  }
  if (auto* refusal = std::get_if<sync::Error>(&answer.value())) {
    log::warning("refused a batch from " + session.center() + " (site " + session.site() + "): " + refusal->code +
                 ": " + refusal->message);
    return session.refuse_push(std::move(*refusal));
  }
  auto& ack = std::get<sync::Ack>(answer.value());
  if (!ack.quarantined.empty())
    log::notice("quarantined " + std::to_string(ack.quarantined.size()) + " change(s) from " + session.center() + ": " +
                ack.quarantined.front().reason);
  session.pushed(std::move(ack));
}

void answer_pull(Result<sync::Changes> changes, sync::ServerSession& session) {
  if (!changes.ok()) {
    log::error("cannot read the changes due to " + session.center() + ": " + changes.status().message());
    return session.abort(sync::kErrorInternal, "hub store unavailable");
  }
  session.pulled(std::move(changes).value());
}

SessionHandler::SessionHandler(sync::ServerSession& session, StoreExecutor& store, SessionFacts facts,
                               SessionHooks hooks)
    : session_(session), store_(store), facts_(std::move(facts)), hooks_(std::move(hooks)) {}

void SessionHandler::dispatch(const std::shared_ptr<void>& keep_alive) {
  if (dispatching_) return;  // an inline answer: the loop below takes what follows
  dispatching_ = true;
  while (auto a = session_.next_action()) {
    if (std::holds_alternative<sync::server::HelloReceived>(*a)) {
      on_hello(keep_alive);
    } else if (auto* hb = std::get_if<sync::server::HeartbeatReceived>(&*a)) {
      on_heartbeat(std::move(hb->heartbeat));
    } else if (auto* p = std::get_if<sync::server::ApplyPush>(&*a)) {
      on_push(std::move(p->push), keep_alive);
    } else if (auto* rp = std::get_if<sync::server::ReadPull>(&*a)) {
      on_pull(rp->pull, keep_alive);
    } else if (auto* c = std::get_if<sync::server::Closed>(&*a)) {
      if (!c->status.ok())
        log::warning("refused " + session_.center() + (facts_.peer.empty() ? "" : " from " + facts_.peer) + ": " +
                     c->status.message());
    }
  }
  dispatching_ = false;
}

void SessionHandler::answered(const std::shared_ptr<void>& keep_alive) {
  dispatch(keep_alive);
  if (hooks_.answered) hooks_.answered();
}

// The welcome's high-water mark acknowledges: it goes out once that much is durable.
void SessionHandler::on_hello(const std::shared_ptr<void>& keep_alive) {
  auto welcome = std::make_shared<Result<sync::Welcome>>(sync::Welcome{});
  store_.run([welcome, center = session_.center(), site = session_.site()](
                 HubStore& hub) { *welcome = hub.welcome(center, site); },
             [this, welcome, keep_alive](const Status& synced) {
               if (!synced.ok()) *welcome = synced;
               answer_hello(*welcome, session_);
               answered(keep_alive);
             });
}

void SessionHandler::on_heartbeat(sync::Heartbeat beat) {
  if (facts_.cert_not_after) beat.cert_expires_at = facts_.cert_not_after;  // the certificate's, not the agent's word
  store_.run(
      [beat = std::move(beat), center = session_.center(), site = session_.site()](HubStore& hub) {
        Status s = hub.record_heartbeat(center, site, beat);
        if (!s.ok()) log::error("cannot record the heartbeat of " + center + ": " + s.message());
      },
      {});
}

// The batch is checked here, off the store's thread, so that the single writer only writes.
void SessionHandler::on_push(sync::Push push, const std::shared_ptr<void>& keep_alive) {
  std::vector<std::pair<std::int64_t, std::size_t>> cells;  // for the metrics, before the batch moves on
  if (hooks_.pushed) {
    cells.reserve(push.changes.size());
    for (const auto& c : push.changes) cells.emplace_back(c.site_seq, c.cells.size());
  }
  auto submitted = std::chrono::steady_clock::now();
  PushJob job{session_.center(), session_.site(), std::move(push), std::nullopt};
  job.check = check_push(job.push, job.center, job.site, facts_.clock());
  store_.commit(std::move(job), [this, keep_alive, cells = std::move(cells), submitted](Result<PushAnswer> r) mutable {
    if (hooks_.pushed) hooks_.pushed(PushOutcome{r, std::move(cells), submitted});
    answer_push(std::move(r), session_);
    answered(keep_alive);
  });
}

void SessionHandler::on_pull(const sync::Pull& pull, const std::shared_ptr<void>& keep_alive) {
  auto changes = std::make_shared<Result<sync::Changes>>(sync::Changes{});
  store_.run([changes, pull, center = session_.center(), site = session_.site()](
                 HubStore& hub) { *changes = hub.changes_for(center, site, pull); },
             [this, changes, keep_alive](const Status& synced) {
               if (!synced.ok()) *changes = synced;
               answer_pull(std::move(*changes), session_);
               answered(keep_alive);
             });
}

}  // namespace epsync::hub
