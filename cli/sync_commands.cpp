// `epsync sync` (one session with the hub, now) and `epsync status`.
#include <unistd.h>

#include <cerrno>
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
#include "storage/file_access.h"
#include "storage/own_changes.h"
#include "storage/set_aside_notice.h"
#include "storage/sync_state.h"
#include "sync/tls.h"
#include "util/i18n.h"
#include "util/printable.h"
#include "records/model.h"

namespace epsync::cli {

namespace {

using json = nlohmann::ordered_json;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// `restore --force`: the store and its -wal and -shm renamed to PATH.before-restore[-wal|-shm].
Status move_aside(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::string from = path + suffix;
    auto there = file_exists(from);
    if (!there.ok()) return there.status();
    if (!there.value()) continue;
    std::error_code ec;
    std::filesystem::rename(from, path + ".before-restore" + suffix, ec);
    if (ec == std::errc::permission_denied || ec == std::errc::operation_not_permitted)
      return Status::PermissionDenied(from);
    if (ec) return Status::IoError(trf("cannot move {} aside: {}", from, ec.message()));
  }
  return Status::Ok();
}

}  // namespace

int sync_now(const Global& g, bool /*wait: a one-shot sync always waits for its end*/) {
  auto cfg = agent_config(g);
  if (!cfg.ok()) return fail(cfg.status());
  if (Status s = require_hub_keys(cfg.value(), N_("{}: {}: required to sync")); !s.ok()) return fail(s);
  if (!g.db.empty()) cfg->store_path = g.db;
  // The centre's private key stays the service user's (0600 epsync): a registrar in group epsync
  // cannot sync by hand, and need not, since the agent syncs after every local write.
  if (access(cfg->hub_key.c_str(), R_OK) != 0 && (errno == EACCES || errno == EPERM)) {
    std::cerr << "epsync: "
              << printable(trf("{}: permission denied: the centre's private key is the epsync service's; the running "
                               "agent syncs by itself after every change (see `epsync status`)", cfg->hub_key))
              << "\n";
    return 1;
  }
  auto op = checked_operator_name();
  if (!op.ok()) return fail(op.status());
  auto outcome = sync_once(cfg.value(), {op.value(), {}});
  if (!outcome.ok()) return fail(outcome.status());
  const SyncOutcome& r = outcome.value();
  if (!r.status.ok()) {
    std::cerr << "epsync: " << printable(trf("sync failed: {}", r.status.message())) << "\n";
    return 1;
  }
  if (g.json) {
    std::cout << json{{"ok", true}, {"pushed", r.pushed}, {"pulled", r.pulled}, {"pending", r.pending},
                      {"bytes_sent", r.bytes.bytes_sent}, {"bytes_received", r.bytes.bytes_received}}.dump() << "\n";
  } else {
    std::cout << trf("synced with {}: sent {}, received {} row changes; {} pending", cfg->hub_address, r.pushed,
                     r.pulled, r.pending)
              << "\n";
  }
  return 0;
}

int restore(const Global& g, bool force) {
  auto cfg = agent_config(g);
  if (!cfg.ok()) return fail(cfg.status());
  if (Status s = require_hub_keys(cfg.value(), N_("{}: {}: required to sync")); !s.ok()) return fail(s);
  std::string path = g.db.empty() ? cfg->store_path : g.db;
  auto exists = file_exists(path);
  if (!exists.ok()) return fail(exists.status());
  if (exists.value()) {
    if (!force)
      return fail(Status::InvalidInput(trf("{} exists; restore builds a new store. Move it aside, or pass --force to "
                                           "have it renamed to {}.before-restore", path, path)));
    if (Status s = move_aside(path); !s.ok()) return fail(s);
  }
  StoreOptions o = eps_store_options();
  o.create = true;
  o.operator_name = operator_name();
  auto store = Store::open(path, o);
  if (!store.ok()) return fail(store.status());
  if (Status s = store.value()->set_meta("center_id", cfg->center_id); !s.ok()) return fail(s);
  SyncOutcome r = run_sync_session(cfg.value(), *store.value(), {o.operator_name, {}});
  if (!r.status.ok()) {
    std::cerr << "epsync: " << printable(trf("restore failed: {}", r.status.message())) << "\n"
              << "epsync: " << printable(trf("{} holds what arrived so far; run `epsync sync` to finish", path))
              << "\n";
    return 1;
  }
  // The region comes back with the hub's registry row for this centre.
  if (auto region = registered_region(*store.value(), cfg->center_id); region.ok() && region.value())
    store.value()->set_meta("region", *region.value());
  if (g.json) {
    std::cout << json{{"ok", true}, {"center", cfg->center_id}, {"site_id", store.value()->site_id()},
                      {"pulled", r.pulled}}.dump() << "\n";
  } else {
    std::cout << trf("restored {} from the hub: {} row changes; this store is site {}", cfg->center_id, r.pulled,
                     store.value()->site_id())
              << "\n";
  }
  return 0;
}

int agent_daemon(const Global& g) {
  std::string config = g.config.empty() ? kDefaultAgentConfig : g.config;
  // The daemon's words are log lines, and what it keeps or sends (last error, heartbeats) is read
  // at the hub: English, whatever [ui] lang says.
  set_current_lang(Lang::kEn);
  return run_agent_daemon({config, g.db});
}

namespace {

// `epsync status` as text: one field a line, the labels in a column as wide as the longest in
// the language shown.
void print_status(const std::string& center, const std::string& site_id, std::int64_t pending, const SyncState& st,
                  std::optional<std::int64_t> cert_days, std::int64_t quarantined) {
  std::vector<std::pair<std::string, std::string>> fields = {
      {tr("centre"), center},
      {tr("site id"), site_id},
      {tr("pending"), trn("{} change not yet acknowledged by the hub", "{} changes not yet acknowledged by the hub",
                          pending, pending)},
      {tr("last sync"), st.last_sync_ms > 0 ? utc_iso_time(st.last_sync_ms) : tr("never")},
      {tr("last error"), st.last_error.empty() ? "-" : printable(st.last_error)},
      {tr("clock offset"), st.clock_offset_known ? trf("{} s", st.clock_offset_ms / 1000) : tr("unknown")},
      {tr("certificate"), cert_days ? trn("{} day left", "{} days left", *cert_days, *cert_days) : tr("unknown")}};
  if (st.clock_offset_known && std::llabs(st.clock_offset_ms) > 5 * 60 * 1000)
    fields.emplace_back(tr("WARNING"), tr("this machine's clock is off by more than 5 minutes; fix it (timedatectl)"));
  if (quarantined > 0)
    fields.emplace_back(tr("set aside"), trn("{} change set aside by the hub; see `epsync quarantine`",
                                             "{} changes set aside by the hub; see `epsync quarantine`", quarantined,
                                             quarantined));
  print_fields(std::cout, fields);
}

}  // namespace

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
  print_status(opened->center, s.site_id(), pending.value(), st.value(), cert_days, quarantined);
  return 0;
}

namespace {

// What a registrar can do about a change the hub set aside, by the hub's reason: English (as the
// JSON carries it), translated where it is printed as text.
const char* advice_for(const std::string& reason) {
  if (reason.rfind("refused (forbidden-row)", 0) == 0)
    return N_("it changes a record another centre owns at the hub and will never be accepted; if the trainee moved here, enrol them anew; otherwise ask the hub administrator");
  if (reason.rfind("refused", 0) == 0)
    return N_("the hub cannot read this change (a damaged store or an old epsync); tell the centre's administrator");
  return N_("correct the record (epsync trainee update, epsync record ...); the correction is a new change and travels at the next sync");
}

// One set-aside change as text: which, the trainee it concerns, the hub's reason (English, as the
// hub wrote it) and what to do.
void print_set_aside(const nlohmann::ordered_json& c) {
  auto text = [&](const char* key) { return printable(c[key].get<std::string>()); };
  std::int64_t seq = c["site_seq"].get<std::int64_t>();
  if (text("trainee_iin").empty())
    std::cout << trf("change {} ({}, {})", seq, text("table"), text("received"));
  else
    std::cout << trf("change {} ({}, {}) trainee {} {}", seq, text("table"), text("received"), text("trainee_iin"),
                     text("trainee_name"));
  const std::string advice = c["advice"].get<std::string>();  // an N_ text of advice_for
  std::cout << "\n  " << trf("hub: {}", text("reason")) << "\n  " << trf("what to do: {}", tr(advice.c_str())) << "\n";
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
    std::cout << tr("no change of this centre was set aside by the hub") << "\n";
    return 0;
  }
  for (const auto& c : list) print_set_aside(c);
  const auto n = static_cast<long>(list.size());
  std::cout << trn("{} change set aside; it stays in this store's history, and later changes flow on",
                   "{} changes set aside; they stay in this store's history, and later changes flow on", n, n)
            << "\n";
  return 0;
}

}  // namespace epsync::cli
