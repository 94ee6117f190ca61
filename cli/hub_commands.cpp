// The hub-side commands: the daemon, the centre registry, quarantine, official results and the
// readiness report. They work on the hub's store (--db, or the hub config's store path), also
// while the daemon runs.
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli_support.h"
#include "hub/hub_config.h"
#include "hub/hub_daemon.h"
#include "hub/official_results.h"
#include "hub/report.h"
#include "hub/report_json.h"
#include "hub/review.h"
#include "records/date.h"
#include "util/printable.h"

namespace epsync::cli {

namespace {

using json = nlohmann::ordered_json;

Result<hub::HubConfig> hub_config(const Global& g) {
  std::string path = g.config;
  if (path.empty()) {
    if (access(hub::kDefaultHubConfig, R_OK) != 0)
      return Status::InvalidInput(std::string("no hub configuration: give --config FILE (default ") +
                                  hub::kDefaultHubConfig + ") or --db PATH");
    path = hub::kDefaultHubConfig;
  }
  return hub::load_hub_config(path);
}

Result<std::unique_ptr<hub::HubStore>> open_hub(const Global& g, bool create = false) {
  std::string path = g.db;
  if (path.empty()) {
    auto cfg = hub_config(g);
    if (!cfg.ok()) return cfg.status();
    path = cfg->store_path;
  }
  hub::HubOptions o;
  o.create = create;
  o.operator_name = operator_name();
  auto hub = hub::HubStore::open(path, o);
  if (!hub.ok() && hub.status().code() == Status::Code::kNotFound && !create)
    return Status::NotFound("the hub store " + path + " does not exist yet; `epsync hub center add` or starting "
                            "the hub creates it");
  return hub;
}

std::string read_all(const std::string& file, bool& ok) {
  std::ifstream in(file, std::ios::binary);
  ok = static_cast<bool>(in);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int hub_daemon(const Global& g) {
  auto cfg = hub_config(g);
  if (!cfg.ok()) return fail(cfg.status());
  if (!g.db.empty()) cfg->store_path = g.db;
  return hub::run_hub_daemon(cfg.value());
}

int hub_center_add(const Global& g, const std::string& id, const std::string& region, const std::string& name) {
  auto hub = open_hub(g, true);
  if (!hub.ok()) return fail(hub.status());
  if (Status s = hub.value()->add_center(id, region, name); !s.ok()) return fail(s);
  if (g.json) std::cout << json{{"center", id}, {"region", region}, {"name", name}}.dump() << "\n";
  else std::cout << "registered centre " << id << " (" << region << ")\n";
  return 0;
}

int hub_center_list(const Global& g, bool health) {
  auto hub = open_hub(g);
  if (!hub.ok()) return fail(hub.status());
  std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
  auto rows = hub::center_health(hub.value()->store(), now);
  if (!rows.ok()) return fail(rows.status());
  auto days = [&](std::int64_t unix_s) { return (unix_s * 1000 - now) / 86'400'000; };
  if (g.json) {
    json arr = json::array();
    for (const auto& c : rows.value()) {
      json j{{"center", c.center}, {"region", c.region}, {"name", c.name}};
      if (health) {
        j["last_seen"] = c.last_seen_ms ? json(utc_iso_time(*c.last_seen_ms)) : json(nullptr);
        j["stale"] = c.stale;
        j["pending"] = c.pending;
        j["oldest_pending_age_seconds"] = c.oldest_pending_age_s;
        j["clock_offset_seconds"] = c.clock_offset_ms / 1000;
        j["agent_version"] = c.agent_version;
        j["cert_days_left"] = c.last_seen_ms ? json(days(c.cert_expires_at)) : json(nullptr);
        j["free_disk_bytes"] = c.free_disk_bytes;
        j["last_error"] = c.last_error;
      }
      arr.push_back(j);
    }
    std::cout << arr.dump(2) << "\n";
    return 0;
  }
  for (const auto& c : rows.value()) {
    std::cout << printable(c.center) << "  " << printable(c.region) << "  " << printable(c.name);
    if (health) {
      if (!c.last_seen_ms) std::cout << "  NEVER SEEN";
      else
        std::cout << "  last seen " << utc_iso_time(*c.last_seen_ms) << (c.stale ? " STALE" : "") << ", " << c.pending
                  << " pending, clock " << c.clock_offset_ms / 1000 << " s, certificate " << days(c.cert_expires_at)
                  << " days, agent " << printable(c.agent_version);
    }
    std::cout << "\n";
  }
  std::cout << rows->size() << " centre" << (rows->size() == 1 ? "" : "s") << "\n";
  return 0;
}

int hub_duplicates(const Global& g) {
  auto hub = open_hub(g);
  if (!hub.ok()) return fail(hub.status());
  auto dups = hub::duplicate_enrolments(hub.value()->store());
  if (!dups.ok()) return fail(dups.status());
  if (g.json) {
    json arr = json::array();
    for (const auto& d : dups.value()) arr.push_back({{"iin", d.iin}, {"centers", d.centers}, {"trainees", d.trainees}});
    std::cout << arr.dump(2) << "\n";
    return 0;
  }
  for (const auto& d : dups.value()) {
    std::cout << printable(d.iin) << "  enrolled at";
    for (const auto& c : d.centers) std::cout << " " << printable(c);
    std::cout << "\n";
  }
  std::cout << dups->size() << " IIN(s) enrolled at more than one centre\n";
  return 0;
}

int hub_conflicts(const Global& g, bool all) {
  auto hub = open_hub(g);
  if (!hub.ok()) return fail(hub.status());
  auto list = hub::conflicts(hub.value()->store(), all);
  if (!list.ok()) return fail(list.status());
  auto text = [](const Value& v) { return is_null(v) ? std::string("(empty)") : std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : to_literal(v); };
  if (g.json) {
    json arr = json::array();
    for (const auto& c : list.value())
      arr.push_back({{"id", c.id}, {"table", c.table}, {"row_id", c.row_id}, {"field", c.column}, {"center", c.center},
                     {"kept", text(c.winner)}, {"lost", text(c.loser)}, {"kept_at", hlc_to_string(c.winner_hlc)},
                     {"lost_at", hlc_to_string(c.loser_hlc)}, {"lost_by", c.loser_operator},
                     {"resolution", c.resolution ? json(*c.resolution) : json(nullptr)}});
    std::cout << arr.dump(2) << "\n";
    return 0;
  }
  // Everything here came from centres (values, the operator's name): escaped for the terminal.
  for (const auto& c : list.value())
    std::cout << c.id << "  " << printable(c.center) << "  " << printable(c.table) << " "
              << printable(c.row_id.substr(0, 8)) << " " << printable(c.column) << ": kept " << printable(text(c.winner))
              << " (" << hlc_to_string(c.winner_hlc).substr(0, 19) << "), lost " << printable(text(c.loser)) << " ("
              << hlc_to_string(c.loser_hlc).substr(0, 19)
              << (c.loser_operator.empty() ? "" : ", by " + printable(c.loser_operator)) << ")"
              << (c.resolution ? "  [" + printable(*c.resolution) + "]" : "") << "\n";
  std::cout << list->size() << " conflict(s)" << (all ? "" : " waiting for review") << "\n";
  return 0;
}

int hub_conflict_resolve(const Global& g, std::int64_t id, bool take_loser, const std::string& note) {
  auto hub = open_hub(g);
  if (!hub.ok()) return fail(hub.status());
  if (Status s = hub::resolve_conflict(*hub.value(), id, take_loser, note); !s.ok()) return fail(s);
  std::cout << "conflict " << id << " resolved: " << (take_loser ? "the lost value is restored" : "the kept value stands")
            << "\n";
  return 0;
}

int hub_quarantine(const Global& g) {
  auto hub = open_hub(g);
  if (!hub.ok()) return fail(hub.status());
  auto q = hub.value()->quarantine();
  if (!q.ok()) return fail(q.status());
  auto refused = hub.value()->refused();  // refused for good: forbidden or malformed
  if (!refused.ok()) return fail(refused.status());
  if (g.json) {
    json arr = json::array();
    for (const auto& e : q.value())
      arr.push_back({{"id", e.id}, {"kind", "quarantined"}, {"received", utc_iso_time(e.received_ms)}, {"center", e.center},
                     {"site", e.site}, {"site_seq", e.site_seq}, {"table", e.table}, {"row_id", e.row_id}, {"reason", e.reason}});
    for (const auto& e : refused.value())
      arr.push_back({{"kind", "refused"}, {"received", utc_iso_time(e.received_ms)}, {"center", e.center}, {"site", e.site},
                     {"site_seq", e.site_seq}, {"reason", e.reason}});
    std::cout << arr.dump(2) << "\n";
    return 0;
  }
  for (const auto& e : q.value())
    std::cout << e.id << "  " << utc_iso_time(e.received_ms) << "  " << printable(e.center) << "  " << printable(e.table) << " "
              << printable(e.row_id.substr(0, 8)) << "  " << printable(e.reason) << "\n";
  std::cout << q->size() << " change" << (q->size() == 1 ? "" : "s") << " in quarantine\n";
  if (refused->empty()) return 0;
  for (const auto& e : refused.value())
    std::cout << "refused  " << utc_iso_time(e.received_ms) << "  " << printable(e.center) << "  change " << e.site_seq
              << " of site " << printable(e.site.substr(0, 8)) << "  " << printable(e.reason) << "\n";
  std::cout << refused->size() << " change" << (refused->size() == 1 ? "" : "s")
            << " refused for good (another centre's row or site, or malformed; nothing of their batches was applied)\n";
  return 0;
}

int hub_import_results(const Global& g, const std::string& file) {
  bool readable = false;
  std::string text = read_all(file, readable);
  if (!readable) return fail(Status::InvalidInput(file + ": cannot read the file"));
  auto hub = open_hub(g);
  if (!hub.ok()) return fail(hub.status());
  auto out = hub::import_official_results(*hub.value(), text, today_local());
  if (!out.ok()) return fail(out.status());
  if (!out->errors.empty()) {
    for (const auto& e : out->errors) std::cerr << printable(file) << ": " << printable(e) << "\n";
    std::cerr << "epsync: nothing imported: " << out->errors.size() << " problem(s) in " << file << "\n";
    return 2;
  }
  for (const auto& u : out->unknown) std::cerr << printable(file) << ": " << printable(u) << "\n";
  if (g.json) {
    std::cout << json{{"imported", out->imported}, {"already_present", out->already_present},
                      {"unknown", out->unknown.size()}}.dump() << "\n";
  } else {
    std::cout << "imported " << out->imported << " official result(s); " << out->already_present
              << " already present; " << out->unknown.size() << " unknown IIN(s)\n";
  }
  return 0;
}

int hub_report(const Global& g, const std::string& by, const std::optional<std::string>& as_of_text,
               const std::string& format) {
  auto parsed = hub::parse_group_by(by);
  if (!parsed) return fail(Status::InvalidInput("by: must be region, center or sector, got '" + by + "'"));
  const hub::GroupBy group = *parsed;
  std::string fmt = g.json ? "json" : format;
  if (fmt != "table" && fmt != "csv" && fmt != "json")
    return fail(Status::InvalidInput("format: must be table, csv or json, got '" + format + "'"));
  auto given = as_of_date(as_of_text);
  if (!given.ok()) return fail(given.status());
  const Date as_of = given.value();
  auto hub = open_hub(g);
  if (!hub.ok()) return fail(hub.status());
  auto rows = hub::readiness_report(hub.value()->store(), group, as_of);
  if (!rows.ok()) return fail(rows.status());
  if (fmt == "json") {
    std::cout << hub::report_json(rows.value(), group, as_of) << "\n";  // the same bytes as /api/report
    return 0;
  }
  if (fmt == "csv") {
    std::cout << by << ",trainees,ready,not_ready,leading_blocker\r\n";
    for (const auto& r : rows.value()) {
      std::string lead;
      std::int64_t most = 0;
      for (const auto& [k, v] : r.blockers)
        if (v > most) most = v, lead = k;
      std::cout << printable(r.key) << "," << r.trainees << "," << r.ready << "," << r.not_ready << "," << printable(lead)
                << "\r\n";
    }
    return 0;
  }
  std::printf("%-20s %9s %7s %9s  %s\n", by.c_str(), "trainees", "ready", "not ready", "leading blockers");
  std::int64_t total = 0, ready = 0;
  for (const auto& r : rows.value()) {
    std::string lead;
    for (const auto& [k, v] : r.blockers) lead += (lead.empty() ? "" : ", ") + k + " " + std::to_string(v);
    std::printf("%-20s %9lld %7lld %9lld  %s\n", printable(r.key).c_str(), static_cast<long long>(r.trainees),
                static_cast<long long>(r.ready), static_cast<long long>(r.not_ready), printable(lead).c_str());
    total += r.trainees;
    ready += r.ready;
  }
  std::printf("%-20s %9lld %7lld %9lld\n", "all", static_cast<long long>(total), static_cast<long long>(ready),
              static_cast<long long>(total - ready));
  return 0;
}

}  // namespace epsync::cli
