#include "agent/sync_once.h"

#include <algorithm>
#include <utility>

#include "agent/agent_sync.h"
#include "epsync/version.h"
#include "util/i18n.h"

namespace epsync {

Status require_hub_keys(const AgentConfig& cfg, const char* refusal) {
  for (auto [key, value] : {std::pair<const char*, const std::string*>{"hub.address", &cfg.hub_address},
                            {"hub.ca", &cfg.hub_ca}, {"hub.cert", &cfg.hub_cert}, {"hub.key", &cfg.hub_key}})
    if (value->empty()) return Status::InvalidInput(vformat_translated(refusal, fmt::make_format_args(cfg.source, key)));
  return Status::Ok();
}

sync::ClientOptions client_options(const AgentConfig& cfg) {
  sync::ClientOptions opt;
  opt.address = cfg.hub_address;
  opt.files = {cfg.hub_ca, cfg.hub_cert, cfg.hub_key, ""};
  opt.idle_timeout = std::chrono::seconds(cfg.sync_timeout_seconds);
  opt.connect_timeout = std::min<std::chrono::milliseconds>(opt.connect_timeout, opt.idle_timeout);
  return opt;
}

SyncOutcome run_sync_session(const AgentConfig& cfg, Store& store, const SyncOnceOptions& opt) {
  SyncOutcome out;
  auto cert = sync::read_certificate(cfg.hub_cert);
  if (!cert.ok()) {
    out.status = cert.status();
    return out;
  }
  AgentSync agent(store, {cfg.center_id, kVersion, cert->not_after});
  auto client_cfg = agent.config();
  if (!client_cfg.ok()) {
    out.status = client_cfg.status();
    return out;
  }
  sync::ClientSession session(client_cfg.value());
  sync::ClientOptions client = client_options(cfg);
  client.register_stop = opt.register_stop;
  Status transport =
      sync::run_client(client, session, [&](sync::ClientAction a) { agent.handle(std::move(a), session); }, &out.bytes);
  if (!agent.finished()) agent.record_failure(transport.ok() ? Status::IoError("session ended early") : transport);
  out.status = agent.result();
  out.pushed = agent.pushed_changes();
  out.pulled = agent.pulled_changes();
  if (auto state = load_sync_state(store); state.ok())
    if (auto p = pending_changes(store, state->acked); p.ok()) out.pending = p.value();
  return out;
}

Result<SyncOutcome> sync_once(const AgentConfig& cfg, const SyncOnceOptions& opt) {
  StoreOptions so;
  so.operator_name = opt.operator_name;
  auto opened = open_centre_store(cfg.store_path, so);
  if (!opened.ok()) return opened.status();
  if (Status s = check_centre(opened.value(), cfg); !s.ok()) return s;
  return run_sync_session(cfg, *opened->store, opt);
}

}  // namespace epsync
