#include "hub/session_handler.h"

#include "util/log.h"

namespace epsync::hub {

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

void handle_now(sync::ServerAction action, sync::ServerSession& session, HubStore& hub) {
  if (auto* h = std::get_if<sync::server::HelloReceived>(&action))
    return answer_hello(hub.welcome(session.center(), h->hello.site), session);
  if (auto* hb = std::get_if<sync::server::HeartbeatReceived>(&action)) {
    hub.record_heartbeat(session.center(), session.site(), hb->heartbeat);
    return;
  }
  if (auto* p = std::get_if<sync::server::ApplyPush>(&action)) {
    auto results = hub.commit({PushJob{session.center(), session.site(), std::move(p->push)}});
    return answer_push(std::move(results[0]), session);
  }
  if (auto* p = std::get_if<sync::server::ReadPull>(&action))
    return answer_pull(hub.changes_for(session.center(), session.site(), p->pull), session);
}

}  // namespace epsync::hub
