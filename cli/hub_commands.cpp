// The hub-side commands: the daemon, the centre registry, quarantine, official results and the
// readiness report. They work on the hub's store (--db, or the hub config's store path), also
// while the daemon runs.
#include <unistd.h>

#include <algorithm>
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
#include "util/i18n.h"
#include "util/printable.h"

namespace epsync::cli {

namespace {

using json = nlohmann::ordered_json;

Result<hub::HubConfig> hub_config(const Global& g) {
  std::string path = g.config;
  if (path.empty()) {
    auto found = default_config(hub::kDefaultHubConfig,
                                N_("no hub configuration: give --config FILE (default {}) or --db PATH"));
    // No hub configuration is bad input (exit 2); an unreadable one is not.
    if (!found.ok() && found.status().code() == Status::Code::kNotFound)
      return Status::InvalidInput(found.status().message());
    if (!found.ok()) return found.status();
    path = found.value();
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
    return Status::NotFound(
        trf("the hub store {} does not exist yet; `epsync hub center add` or starting the hub creates it", path));
  return hub;
}

// `hub report` as a table: the headers in the reader's language, each column as wide as its
// header needs (Cyrillic headers are longer than the English).
void print_report_table(const std::vector<hub::ReportRow>& rows, hub::GroupBy group) {
  const char* key = group == hub::GroupBy::kRegion   ? N_("region")
                    : group == hub::GroupBy::kCenter ? N_("center")
                                                     : N_("sector");
  const std::string head[] = {tr(key), trc("report column", "trainees"), trc("report column", "ready"),
                              trc("report column", "not ready")};
  std::size_t width[] = {20, 9, 7, 9};
  for (int i = 0; i < 4; ++i) width[i] = std::max(width[i], text_width(head[i]));
  auto line = [&](const std::string& k, const std::string& t, const std::string& r, const std::string& n) {
    return padded(k, width[0]) + " " + right_aligned(t, width[1]) + " " + right_aligned(r, width[2]) + " " +
           right_aligned(n, width[3]);
  };
  std::cout << line(head[0], head[1], head[2], head[3]) << "  " << tr("leading blockers") << "\n";
  std::int64_t total = 0, ready = 0;
  for (const auto& r : rows) {
    std::string lead;
    for (const auto& [k, v] : r.blockers) lead += (lead.empty() ? "" : ", ") + k + " " + std::to_string(v);
    std::cout << line(printable(r.key), std::to_string(r.trainees), std::to_string(r.ready), std::to_string(r.not_ready))
              << "  " << printable(lead) << "\n";
    total += r.trainees;
    ready += r.ready;
  }
  std::cout << line(tr("all"), std::to_string(total), std::to_string(ready), std::to_string(total - ready)) << "\n";
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
  // Log lines, and the refusals sent to centres, stay English whatever [ui] lang says.
  set_current_lang(Lang::kEn);
  return hub::run_hub_daemon(cfg.value());
}

int hub_center_add(const Global& g, const std::string& id, const std::string& region, const std::string& name) {
  auto hub = open_hub(g, true);
  if (!hub.ok()) return fail(hub.status());
  if (Status s = hub.value()->add_center(id, region, name); !s.ok()) return fail(s);
  if (g.json) std::cout << json{{"center", id}, {"region", region}, {"name", name}}.dump() << "\n";
  else std::cout << trf("registered centre {} ({})", printable(id), printable(region)) << "\n";
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
      const char* seen = c.stale ? N_("last seen {} STALE, pending {}, clock {} s, certificate {} d, agent {}")
                                 : N_("last seen {}, pending {}, clock {} s, certificate {} d, agent {}");
      if (!c.last_seen_ms) std::cout << "  " << tr("NEVER SEEN");
      else
        std::cout << "  " << trf(seen, utc_iso_time(*c.last_seen_ms), c.pending, c.clock_offset_ms / 1000,
                                 days(c.cert_expires_at), printable(c.agent_version));
    }
    std::cout << "\n";
  }
  const auto n = static_cast<long>(rows->size());
  std::cout << trn("{} centre", "{} centres", n, n) << "\n";
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
    std::string centres;
    for (const auto& c : d.centers) centres += (centres.empty() ? "" : " ") + printable(c);
    std::cout << printable(d.iin) << "  " << trf("enrolled at {}", centres) << "\n";
  }
  const auto n = static_cast<long>(dups->size());
  std::cout << trn("{} IIN enrolled at more than one centre", "{} IINs enrolled at more than one centre", n, n) << "\n";
  return 0;
}

int hub_conflicts(const Global& g, bool all) {
  auto hub = open_hub(g);
  if (!hub.ok()) return fail(hub.status());
  auto list = hub::conflicts(hub.value()->store(), all);
  if (!list.ok()) return fail(list.status());
  // A value as JSON carries it; "(empty)" in the reader's language where it is printed.
  auto text = [](const Value& v) { return is_null(v) ? std::string("(empty)") : std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : to_literal(v); };
  auto shown = [&](const Value& v) { return is_null(v) ? tr("(empty)") : printable(text(v)); };
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
  for (const auto& c : list.value()) {
    std::string kept_at = hlc_to_string(c.winner_hlc).substr(0, 19), lost_at = hlc_to_string(c.loser_hlc).substr(0, 19);
    std::string what = c.loser_operator.empty()
                           ? trf("kept {} ({}), lost {} ({})", shown(c.winner), kept_at, shown(c.loser), lost_at)
                           : trf("kept {} ({}), lost {} ({}, by {})", shown(c.winner), kept_at, shown(c.loser), lost_at,
                                 printable(c.loser_operator));
    std::cout << c.id << "  " << printable(c.center) << "  " << printable(c.table) << " "
              << printable(c.row_id.substr(0, 8)) << " " << printable(c.column) << ": " << what
              << (c.resolution ? "  [" + printable(*c.resolution) + "]" : "") << "\n";
  }
  const auto n = static_cast<long>(list->size());
  std::cout << (all ? trn("{} conflict", "{} conflicts", n, n)
                    : trn("{} conflict waiting for review", "{} conflicts waiting for review", n, n))
            << "\n";
  return 0;
}

int hub_conflict_resolve(const Global& g, std::int64_t id, bool take_loser, const std::string& note) {
  auto hub = open_hub(g);
  if (!hub.ok()) return fail(hub.status());
  if (Status s = hub::resolve_conflict(*hub.value(), id, take_loser, note); !s.ok()) return fail(s);
  std::cout << (take_loser ? trf("conflict {} resolved: the lost value is restored", id)
                          : trf("conflict {} resolved: the kept value stands", id))
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
  const auto held = static_cast<long>(q->size());
  std::cout << trn("{} change in quarantine", "{} changes in quarantine", held, held) << "\n";
  if (refused->empty()) return 0;
  for (const auto& e : refused.value())
    std::cout << trf("refused  {}  {}  change {} of site {}  {}", utc_iso_time(e.received_ms), printable(e.center),
                     e.site_seq, printable(e.site.substr(0, 8)), printable(e.reason))
              << "\n";
  const auto gone = static_cast<long>(refused->size());
  std::cout << trn("{} change refused for good (another centre's row or site, or malformed; nothing of its batch was applied)",
                   "{} changes refused for good (another centre's row or site, or malformed; nothing of their batches was applied)",
                   gone, gone)
            << "\n";
  return 0;
}

int hub_import_results(const Global& g, const std::string& file) {
  bool readable = false;
  std::string text = read_all(file, readable);
  if (!readable) return fail(Status::InvalidInput(trf("{}: cannot read the file", file)));
  auto hub = open_hub(g);
  if (!hub.ok()) return fail(hub.status());
  auto out = hub::import_official_results(*hub.value(), text, today_local());
  if (!out.ok()) return fail(out.status());
  if (!out->errors.empty()) {
    for (const auto& e : out->errors) std::cerr << printable(file) << ": " << printable(e) << "\n";
    const auto n = static_cast<long>(out->errors.size());
    std::cerr << "epsync: " << trn("nothing imported: {} problem in {}", "nothing imported: {} problems in {}", n, n, printable(file))
              << "\n";
    return 2;
  }
  for (const auto& u : out->unknown) std::cerr << printable(file) << ": " << printable(u) << "\n";
  if (g.json) {
    std::cout << json{{"imported", out->imported}, {"already_present", out->already_present},
                      {"unknown", out->unknown.size()}}.dump() << "\n";
  } else {
    std::cout << trf("official results imported: {}; already present: {}; unknown IINs: {}", out->imported,
                     out->already_present, out->unknown.size())
              << "\n";
  }
  return 0;
}

int hub_report(const Global& g, const std::string& by, const std::optional<std::string>& as_of_text,
               const std::string& format) {
  auto parsed = hub::parse_group_by(by);
  if (!parsed) return fail(Status::InvalidInput(trf("by: must be region, center or sector, got '{}'", by)));
  const hub::GroupBy group = *parsed;
  std::string fmt = g.json ? "json" : format;
  if (fmt != "table" && fmt != "csv" && fmt != "json")
    return fail(Status::InvalidInput(trf("format: must be table, csv or json, got '{}'", format)));
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
  print_report_table(rows.value(), group);
  return 0;
}

}  // namespace epsync::cli
