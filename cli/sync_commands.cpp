// `epsync sync` (one session with the hub, now) and `epsync status`.
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "agent/agent_daemon.h"
#include "agent/sync_once.h"
#include "cli/cli_support.h"
#include "records/center_registry.h"
#include "records/date.h"
#include "records/records.h"
#include "records/set_aside.h"
#include "storage/own_changes.h"
#include "storage/set_aside_notice.h"
#include "storage/sync_state.h"
#include "sync/tls.h"
#include "util/printable.h"
#include "records/model.h"

namespace epsync::cli {

namespace {

using json = nlohmann::ordered_json;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int sync_now(const Global& g, bool /*wait: a one-shot sync always waits for its end*/) {
  auto cfg = agent_config(g);
  if (!cfg.ok()) return fail(cfg.status());
  if (Status s = require_hub_keys(cfg.value(), "to sync"); !s.ok()) return fail(s);
  if (!g.db.empty()) cfg->store_path = g.db;
  auto op = checked_operator_name();
  if (!op.ok()) return fail(op.status());
  auto outcome = sync_once(cfg.value(), {op.value(), {}});
  if (!outcome.ok()) return fail(outcome.status());
  const SyncOutcome& r = outcome.value();
  if (!r.status.ok()) {
    std::cerr << "epsync: sync failed: " << printable(r.status.message()) << "\n";
    return 1;
  }
  if (g.json) {
    std::cout << json{{"ok", true}, {"pushed", r.pushed}, {"pulled", r.pulled}, {"pending", r.pending},
                      {"bytes_sent", r.bytes.bytes_sent}, {"bytes_received", r.bytes.bytes_received}}.dump() << "\n";
  } else {
    std::cout << "synced with " << cfg->hub_address << ": sent " << r.pushed << ", received " << r.pulled
              << " row changes; " << r.pending << " pending\n";
  }
  return 0;
}

int restore(const Global& g, bool force) {
  auto cfg = agent_config(g);
  if (!cfg.ok()) return fail(cfg.status());
  if (Status s = require_hub_keys(cfg.value(), "to sync"); !s.ok()) return fail(s);
  std::string path = g.db.empty() ? cfg->store_path : g.db;
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    if (!force)
      return fail(Status::InvalidInput(path + " exists; restore builds a new store. Move it aside, or pass --force "
                                       "to have it renamed to " + path + ".before-restore"));
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::string from = path + suffix;
      if (std::filesystem::exists(from, ec)) std::filesystem::rename(from, path + ".before-restore" + suffix, ec);
      if (ec) return fail(Status::IoError("cannot move " + from + " aside: " + ec.message()));
    }
  }
  StoreOptions o = eps_store_options();
  o.create = true;
  o.operator_name = operator_name();
  auto store = Store::open(path, o);
  if (!store.ok()) return fail(store.status());
  if (Status s = store.value()->set_meta("center_id", cfg->center_id); !s.ok()) return fail(s);
  SyncOutcome r = run_sync_session(cfg.value(), *store.value(), {o.operator_name, {}});
  if (!r.status.ok()) {
    std::cerr << "epsync: restore failed: " << printable(r.status.message()) << "\n"
              << "epsync: " << path << " holds what arrived so far; run `epsync sync` to finish\n";
    return 1;
  }
  // The region comes back with the hub's registry row for this centre.
  if (auto region = registered_region(*store.value(), cfg->center_id); region.ok() && region.value())
    store.value()->set_meta("region", *region.value());
  if (g.json) {
    std::cout << json{{"ok", true}, {"center", cfg->center_id}, {"site_id", store.value()->site_id()},
                      {"pulled", r.pulled}}.dump() << "\n";
  } else {
    std::cout << "restored " << cfg->center_id << " from the hub: " << r.pulled << " row changes; this store is site "
              << store.value()->site_id() << "\n";
  }
  return 0;
}

int agent_daemon(const Global& g) {
  std::string config = g.config.empty() ? kDefaultAgentConfig : g.config;
  return run_agent_daemon({config, g.db});
}

int status(const Global& g) {
  auto opened = open_centre(g);
  if (!opened.ok()) return fail(opened.status());
  Store& s = *opened->store;
  auto st = load_sync_state(s);
  if (!st.ok()) return fail(st.status());
  auto pending = pending_changes(s, st->acked);
  if (!pending.ok()) return fail(pending.status());
  auto age = oldest_pending_age_s(s, st->acked);
  if (!age.ok()) return fail(age.status());
  std::optional<std::int64_t> cert_days;
  if (auto cfg = agent_config(g); cfg.ok() && !cfg->hub_cert.empty())
    if (auto cert = sync::read_certificate(cfg->hub_cert); cert.ok())
      cert_days = (cert->not_after * 1000 - now_ms()) / 86'400'000;
  auto set_aside = set_aside_count(s);
  std::int64_t quarantined = set_aside.ok() ? set_aside.value() : 0;
  auto opt_json = [](bool known, auto v) { return known ? json(v) : json(nullptr); };
  json j{{"center", opened->center},
         {"site_id", s.site_id()},
         {"pending", pending.value()},
         {"oldest_pending_age_seconds", age.value()},
         {"last_sync", opt_json(st->last_sync_ms > 0, utc_iso_time(st->last_sync_ms))},
         {"last_error", opt_json(!st->last_error.empty(), st->last_error)},
         {"clock_offset_seconds", opt_json(st->clock_offset_known, st->clock_offset_ms / 1000)},
         {"cert_days_left", opt_json(cert_days.has_value(), cert_days.value_or(0))},
         {"quarantined", quarantined}};
  if (g.json) {
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << "centre           " << opened->center << "\n"
            << "site id          " << s.site_id() << "\n"
            << "pending          " << pending.value() << " change(s) not yet acknowledged by the hub\n"
            << "last sync        " << (st->last_sync_ms > 0 ? utc_iso_time(st->last_sync_ms) : "never") << "\n"
            << "last error       " << (st->last_error.empty() ? "-" : printable(st->last_error)) << "\n"
            << "clock offset     " << (st->clock_offset_known ? std::to_string(st->clock_offset_ms / 1000) + " s" : "unknown")
            << "\n"
            << "certificate      " << (cert_days ? std::to_string(*cert_days) + " days left" : "unknown") << "\n";
  if (st->clock_offset_known && std::llabs(st->clock_offset_ms) > 5 * 60 * 1000)
    std::cout << "WARNING          this machine's clock is off by more than 5 minutes; fix it (timedatectl)\n";
  if (quarantined > 0)
    std::cout << "set aside        " << quarantined << " change(s) set aside by the hub; see `epsync quarantine`\n";
  return 0;
}

namespace {

// What a registrar can do about a change the hub set aside, by the hub's reason.
std::string advice_for(const std::string& reason) {
  if (reason.rfind("refused (forbidden-row)", 0) == 0)
    return "it changes a record another centre owns at the hub and will never be accepted; if the trainee moved "
           "here, enrol them anew; otherwise ask the hub administrator";
  if (reason.rfind("refused", 0) == 0)
    return "the hub cannot read this change (a damaged store or an old epsync); tell the centre's administrator";
  return "correct the record (epsync trainee update, epsync record ...); the correction is a new change and "
         "travels at the next sync";
}

}  // namespace

int quarantine(const Global& g) {
  auto opened = open_centre(g);
  if (!opened.ok()) return fail(opened.status());
  Store& s = *opened->store;
  auto changes = set_aside_changes(s);
  if (!changes.ok()) return fail(changes.status());
  json list = json::array();
  for (const auto& c : changes.value()) {
    std::string iin, name;
    if (!c.trainee_id.empty())
      if (auto t = find_trainee(s, c.trainee_id); t.ok()) {
        iin = t->iin;
        name = t->surname + " " + t->given_name;
      }
    list.push_back({{"site_seq", c.site_seq}, {"received", utc_iso_time(c.received_ms)}, {"table", c.table},
                    {"row_id", c.row_id}, {"trainee_iin", iin}, {"trainee_name", name}, {"reason", c.reason},
                    {"advice", advice_for(c.reason)}});
  }
  if (g.json) {
    std::cout << list.dump(2) << "\n";
    return 0;
  }
  if (list.empty()) {
    std::cout << "no change of this centre was set aside by the hub\n";
    return 0;
  }
  for (const auto& c : list) {
    std::cout << "change " << c["site_seq"].get<std::int64_t>() << " (" << c["table"].get<std::string>() << ", "
              << c["received"].get<std::string>() << ")";
    if (!c["trainee_iin"].get<std::string>().empty())
      std::cout << " trainee " << c["trainee_iin"].get<std::string>() << " " << c["trainee_name"].get<std::string>();
    std::cout << "\n  hub: " << c["reason"].get<std::string>() << "\n  what to do: " << c["advice"].get<std::string>()
              << "\n";
  }
  std::cout << list.size() << " change(s) set aside; they stay in this store's history, and later changes flow on\n";
  return 0;
}

}  // namespace epsync::cli
