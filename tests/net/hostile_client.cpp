#include "net/hostile_client.h"

#include <chrono>

#include "net/net_fixture.h"
#include "storage/hlc.h"
#include "records/model.h"
#include "storage/schema.h"
#include "storage/store.h"
#include "sync/client_session.h"
#include "sync/tls.h"

namespace epsync::test {

RowChange forged_change(const std::string& table, const std::string& row_id, const std::string& owner,
                        const std::string& site, std::int64_t site_seq, std::vector<CellChange> cells) {
  RowChange c;
  c.table = table;
  c.row_id = row_id;
  c.center = owner;
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  c.hlc = static_cast<HlcTime>(now_ms) << 16;
  c.site = site;
  c.site_seq = site_seq;
  c.op = "hostile";
  c.cells = std::move(cells);
  return c;
}

HostileResult hostile_session(NetWorld& w, const Centre& as, HostilePlan plan) {
  return hostile_session(HostileTarget{w.hub_address(), w.ca_crt, as.cert, as.key, as.id}, std::move(plan));
}

HostileResult hostile_session(const HostileTarget& to, HostilePlan plan) {
  sync::ClientConfig cfg;
  cfg.hello.center = plan.center.empty() ? to.center : plan.center;
  cfg.hello.site = plan.site.empty() ? new_random_id() : plan.site;
  cfg.hello.agent_version = "hostile";
  cfg.hello.schema_min = cfg.hello.schema_max = latest_schema_version();
  sync::ClientSession session(cfg);
  sync::ClientOptions opt;
  opt.address = to.address;
  opt.files = {to.ca, to.cert, to.key, ""};
  opt.connect_timeout = std::chrono::seconds(5);
  opt.idle_timeout = std::chrono::seconds(10);
  HostileResult out;
  bool pushed = false;
  Status transport = sync::run_client(opt, session, [&](sync::ClientAction a) {
    if (auto* wl = std::get_if<sync::client::Welcomed>(&a)) {
      out.welcomed = true;
      out.welcome = wl->welcome;
      session.heartbeat(sync::Heartbeat{"hostile", 0, 0, 0, 0, 0, 0, ""});
    } else if (std::get_if<sync::client::NeedPush>(&a)) {
      if (pushed) return session.push(std::vector<RowChange>{});
      pushed = true;
      session.push(plan.push);
    } else if (auto* ack = std::get_if<sync::client::Acked>(&a)) {
      out.acks.push_back(ack->ack);
    } else if (std::get_if<sync::client::ApplyPulled>(&a)) {
      session.pulled_applied();
    } else if (auto* f = std::get_if<sync::client::Finished>(&a)) {
      out.refusal = f->hub_error;
      out.status = f->status.ok() ? "ok" : f->status.message();
    }
  });
  if (!transport.ok() && out.status.empty()) out.status = transport.message();
  return out;
}

}  // namespace epsync::test
