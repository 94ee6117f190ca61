#include "hub/session_handler.h"

namespace epsync::hub {

void answer_hello(const sync::Hello& hello, sync::ServerSession& session, HubStore& hub) {
  auto known = hub.registered(session.center());
  if (!known.ok()) return session.abort(sync::kErrorInternal, "hub store unavailable");
  if (!known.value())
    return session.refuse(sync::kErrorUnknownCenter,
                          "centre " + session.center() + " is not registered at this hub (epsync hub center add)");
  auto w = hub.welcome(hello.site);
  if (!w.ok()) return session.abort(sync::kErrorInternal, "hub store unavailable");
  session.accept(w.value());
}

void handle_now(sync::ServerAction action, sync::ServerSession& session, HubStore& hub) {
  if (auto* h = std::get_if<sync::server::HelloReceived>(&action)) return answer_hello(h->hello, session, hub);
  if (auto* hb = std::get_if<sync::server::HeartbeatReceived>(&action)) {
    hub.record_heartbeat(session.center(), session.site(), hb->heartbeat);
    return;
  }
  if (auto* p = std::get_if<sync::server::ApplyPush>(&action)) {
    auto results = hub.commit({PushJob{session.center(), std::move(p->push)}});
    if (!results[0].ok()) return session.abort(sync::kErrorInternal, "batch not stored: " + results[0].status().message());
    return session.pushed(std::move(results[0]).value());
  }
  if (auto* p = std::get_if<sync::server::ReadPull>(&action)) {
    auto changes = hub.changes_for(session.center(), session.site(), p->pull);
    if (!changes.ok()) return session.abort(sync::kErrorInternal, "hub store unavailable");
    return session.pulled(std::move(changes).value());
  }
}

}  // namespace epsync::hub
