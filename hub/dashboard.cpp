#include "hub/dashboard.h"

#include "hub/dashboard_assets.h"
#include "hub/html.h"

#include "records/date.h"

#include <algorithm>
#include <map>
#include <optional>

#include "storage/sqlite.h"

namespace epsync::hub {

namespace {

const std::map<std::string, std::string>& region_names() {
  static const std::map<std::string, std::string> names = {
      {"abai", "Abai"},
      {"akmola", "Akmola"},
      {"aktobe", "Aktobe"},
      {"almaty-region", "Almaty Region"},
      {"atyrau", "Atyrau"},
      {"east-kazakhstan", "East Kazakhstan"},
      {"jambyl", "Jambyl"},
      {"jetisu", "Jetisu"},
      {"karaganda", "Karaganda"},
      {"kostanay", "Kostanay"},
      {"kyzylorda", "Kyzylorda"},
      {"mangystau", "Mangystau"},
      {"north-kazakhstan", "North Kazakhstan"},
      {"pavlodar", "Pavlodar"},
      {"turkistan", "Turkistan"},
      {"ulytau", "Ulytau"},
      {"west-kazakhstan", "West Kazakhstan"},
      {"astana", "Astana (city)"},
      {"almaty", "Almaty (city)"},
      {"shymkent", "Shymkent (city)"},
      {"(unregistered centre)", "Centre not registered"},
  };
  return names;
}

std::string label_of(const std::map<std::string, std::string>& names, const std::string& key) {
  auto it = names.find(key);
  return it == names.end() ? key : it->second;
}

std::string region_name(const std::string& slug) { return label_of(region_names(), slug); }

std::string sector_name(const std::string& key) {
  static const std::map<std::string, std::string> names = {
      {"manufacturing", "Manufacturing"}, {"agriculture", "Agriculture"}, {"construction", "Construction"},
      {"fishery", "Fishery"},             {"service", "Services"},        {"(none)", "Not recorded"},
  };
  return label_of(names, key);
}

std::string blocker_name(const std::string& kind) {
  static const std::map<std::string, std::string> names = {
      {"age", "Age outside 18\u201339 or birth date missing"},
      {"language-test", "Korean language test (EPS-TOPIK) not passed or expired"},
      {"medical", "Medical examination missing, not fit or expired"},
      {"passport", "Passport not verified or expiring"},
      {"criminal-record", "Criminal-record certificate not verified"},
      {"immigration-record", "Immigration record not verified"},
      {"status", "Not active (withdrawn or departed)"},
  };
  return label_of(names, kind);
}

// The same reasons in a word or two, for table cells.
std::string blocker_short(const std::string& kind) {
  static const std::map<std::string, std::string> names = {
      {"age", "Age"},
      {"language-test", "Language test"},
      {"medical", "Medical"},
      {"passport", "Passport"},
      {"criminal-record", "Criminal record"},
      {"immigration-record", "Immigration record"},
      {"status", "Not active"},
  };
  return label_of(names, kind);
}

std::string field_name(const std::string& table, const std::string& column) {
  static const std::map<std::string, std::string> names = {
      {"medical_check.result", "Medical result"},
      {"medical_check.valid_until", "Medical validity"},
      {"document_check.status", "Document status"},
      {"test_result.score", "Test score"},
  };
  return label_of(names, table + "." + column);
}



// The most frequent blocker of a row (the first of equals, in the order of their names), as the
// CSV report's leading_blocker column picks it.
std::optional<std::pair<std::string, std::int64_t>> leading(const ReportRow& r) {
  std::optional<std::pair<std::string, std::int64_t>> best;
  for (const auto& [k, v] : r.blockers)
    if (!best || v > best->second) best = std::make_pair(k, v);
  return best;
}

struct Totals {
  std::int64_t trainees = 0, ready = 0, not_ready = 0;
};
Totals totals(const std::vector<ReportRow>& rows) {
  Totals t;
  for (const auto& r : rows) {
    t.trainees += r.trainees;
    t.ready += r.ready;
    t.not_ready += r.not_ready;
  }
  return t;
}


void region_chart(Html& h, const std::vector<ReportRow>& rows) {
  std::vector<const ReportRow*> order;
  for (const auto& r : rows) order.push_back(&r);
  std::stable_sort(order.begin(), order.end(), [](const ReportRow* a, const ReportRow* b) {
    return a->trainees != b->trainees ? a->trainees > b->trainees : region_name(a->key) < region_name(b->key);
  });
  std::int64_t most = 1;
  for (const auto* r : order) most = std::max(most, r->trainees);
  const int row_h = 22, label_w = 112, bar_w = 250, width = 460;
  const int height = static_cast<int>(order.size()) * row_h + 4;
  h.raw("<svg id=\"region-chart\" role=\"img\" aria-labelledby=\"region-chart-title\" viewBox=\"0 0 ")
      .num(width).raw(" ").num(height).raw("\" width=\"100%\">")
      .raw("<title id=\"region-chart-title\">Trainees by region: ready and not ready</title>");
  int y = 0;
  for (const auto* r : order) {
    const double scale = static_cast<double>(bar_w) / static_cast<double>(most);
    const int ready_w = static_cast<int>(static_cast<double>(r->ready) * scale + 0.5);
    const int not_w = static_cast<int>(static_cast<double>(r->trainees) * scale + 0.5) - ready_w;
    h.raw("<g class=\"bar\" data-region=\"").text(r->key).raw("\" data-trainees=\"").num(r->trainees)
        .raw("\" data-ready=\"").num(r->ready).raw("\" data-not-ready=\"").num(r->not_ready).raw("\">");
    h.raw("<title>").text(region_name(r->key)).raw(": ").raw(figure(r->ready)).raw(" of ").raw(figure(r->trainees))
        .raw(" ready (").raw(percent(r->ready, r->trainees)).raw(")</title>");
    h.raw("<text x=\"0\" y=\"").num(y + 15).raw("\">").text(region_name(r->key)).raw("</text>");
    h.raw("<rect class=\"track\" x=\"").num(label_w).raw("\" y=\"").num(y + 4).raw("\" width=\"").num(bar_w)
        .raw("\" height=\"14\" rx=\"2\"/>");
    if (ready_w > 0)
      h.raw("<rect class=\"ready\" x=\"").num(label_w).raw("\" y=\"").num(y + 4).raw("\" width=\"").num(ready_w)
          .raw("\" height=\"14\"/>");
    if (not_w > 0)
      h.raw("<rect class=\"notready\" x=\"").num(label_w + ready_w).raw("\" y=\"").num(y + 4).raw("\" width=\"")
          .num(not_w).raw("\" height=\"14\"/>");
    h.raw("<text class=\"n\" x=\"").num(label_w + bar_w + 8).raw("\" y=\"").num(y + 15).raw("\">");
    if (r->trainees == 0) h.raw("none yet");
    else h.raw(figure(r->ready)).raw(" of ").raw(figure(r->trainees)).raw(" \u00b7 ").raw(percent(r->ready, r->trainees));
    h.raw("</text></g>");
    y += row_h;
  }
  h.raw("</svg>");
}

// A readiness table: one row per group, a total in the footer.
void readiness_table(Html& h, const std::string& id, const std::string& heading, const std::vector<ReportRow>& rows,
                     std::string (*name)(const std::string&)) {
  h.raw("<table id=\"").raw(id).raw("\" class=\"sortable\"><thead><tr><th>").text(heading)
      .raw("</th><th class=\"num\">Trainees</th><th class=\"num\">Ready</th><th class=\"num\">Not ready</th>"
           "<th class=\"num\">Ready %</th><th>Leading blocker</th></tr></thead><tbody>");
  for (const auto& r : rows) {
    h.raw("<tr data-key=\"").text(r.key).raw("\"").raw(r.trainees == 0 ? " class=\"empty\"" : "").raw("><td class=\"key\">")
        .text(name(r.key)).raw("</td>");
    h.cell("trainees", r.trainees).cell("ready", r.ready).cell("not_ready", r.not_ready);
    h.raw("<td class=\"num\" data-value=\"").num(r.trainees ? r.ready * 1000 / r.trainees : -1).raw("\">")
        .raw(percent(r.ready, r.trainees)).raw("</td><td>");
    if (auto lead = leading(r)) {
      h.raw("<span data-field=\"leading\" data-kind=\"").text(lead->first).raw("\" title=\"")
          .text(blocker_name(lead->first)).raw("\">").text(blocker_short(lead->first))
          .raw("</span> <span class=\"muted\">(").raw(figure(lead->second)).raw(")</span>");
    }
    h.raw("</td></tr>");
  }
  Totals t = totals(rows);
  h.raw("</tbody><tfoot><tr><td>All</td><td class=\"num\">").raw(figure(t.trainees)).raw("</td><td class=\"num\">")
      .raw(figure(t.ready)).raw("</td><td class=\"num\">").raw(figure(t.not_ready)).raw("</td><td class=\"num\">")
      .raw(percent(t.ready, t.trainees)).raw("</td><td></td></tr></tfoot></table>");
}

// The page head, the banner with the reference date, and when the figures were read.
void page_head(Html& h, const DashboardData& d, const std::string& as_of, const std::string& nonce) {
  h.raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>EPS readiness \u00b7 epsync hub</title><style nonce=\"")
      .raw(nonce).raw("\">").raw(kDashboardStyle).raw("</style></head><body>");

  h.raw("<header><div><h1>EPS candidate readiness \u2014 Kazakhstan</h1>"
        "<p>Employment Permit System \u00b7 nationwide view of the training centres, from the epsync hub</p></div>"
        "<form method=\"get\" action=\"/\"><label for=\"as-of-input\">Reference date</label>"
        "<input id=\"as-of-input\" type=\"date\" name=\"as_of\" value=\"")
      .raw(as_of).raw("\"><button type=\"submit\">Show</button></form></header><main>");

  h.raw("<p class=\"meta\">Readiness on <strong id=\"as-of\">").raw(as_of)
      .raw("</strong> \u00b7 figures read from the hub store at <time id=\"generated\" datetime=\"")
      .raw(utc_time(d.now_ms)).raw("\">").raw(local_time(d.now_ms))
      .raw("</time> (hub time) \u00b7 centres send their changes whenever they are online<span id=\"age\"></span></p>");
}

// The headline figures.
void headline(Html& h, const DashboardData& d, const Totals& all) {
  std::int64_t stale = 0, never = 0;
  for (const auto& c : d.centres) {
    stale += c.stale ? 1 : 0;
    never += c.last_seen_ms ? 0 : 1;
  }
  auto kpi = [&](const char* cls, const char* id, const char* label, std::int64_t value, const std::string& note) {
    h.raw("<div class=\"kpi ").raw(cls).raw("\"><span class=\"label\">").raw(label)
        .raw("</span><span class=\"value\" id=\"").raw(id).raw("\" data-value=\"").num(value).raw("\">")
        .raw(figure(value)).raw("</span><span class=\"note\">").raw(note).raw("</span></div>");
  };
  h.raw("<div class=\"kpis\">");
  kpi("", "total-trainees", "Trainees", all.trainees, "enrolled, all centres");
  kpi("good", "total-ready", "Ready", all.ready, percent(all.ready, all.trainees) + " of trainees");
  kpi("", "total-not-ready", "Not ready", all.not_ready, "see the blockers below");
  kpi(stale ? "alert" : "", "centres-stale", "Stale centres", stale,
      "of " + figure(static_cast<std::int64_t>(d.centres.size())) + " centres; " + figure(never) + " never synced");
  kpi(d.duplicates.empty() ? "" : "alert", "duplicates-count", "Duplicate enrolments",
      static_cast<std::int64_t>(d.duplicates.size()), "same IIN at several centres");
  kpi(d.conflicts.empty() ? "" : "alert", "conflicts-count", "Conflicts to review",
      static_cast<std::int64_t>(d.conflicts.size()), "safety-relevant fields");
  h.raw("</div>");
}

// By region: the chart and the table.
void regions_section(Html& h, const DashboardData& d) {
  h.raw("<section id=\"regions\"><h2>Readiness by region</h2><p class=\"hint\">Every region of the country, also "
        "those without a centre yet. A trainee is ready when all conditions of the programme hold on the reference "
        "date (age, language test, medical examination, passport, criminal and immigration records, active).</p>"
        "<div class=\"two chart\"><figure>"
        "<div class=\"legend\"><span><i class=\"ready\"></i>ready</span><span><i class=\"notready\"></i>not ready</span>"
        "<span>ready of enrolled \u00b7 share ready</span></div>");
  region_chart(h, d.by_region);
  h.raw("</figure><div>");
  readiness_table(h, "region-table", "Region", d.by_region, region_name);
  h.raw("</div></div></section>");
}

// The reasons that hold trainees back, nationwide, most frequent first.
void blockers_section(Html& h, const DashboardData& d, const Totals& all) {
  std::map<std::string, std::int64_t> blockers;
  for (const auto& r : d.by_region)
    for (const auto& [k, v] : r.blockers) blockers[k] += v;
  std::vector<std::pair<std::string, std::int64_t>> ranked(blockers.begin(), blockers.end());
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  h.raw("<section id=\"blockers\"><h2>What holds candidates back</h2><p class=\"hint\">Trainees "
        "held back by each reason, nationwide; a trainee can be held back by several.</p>");
  if (ranked.empty()) {
    h.raw("<p class=\"muted\">No trainee is held back.</p>");
  } else {
    std::int64_t most = std::max<std::int64_t>(1, ranked.front().second);
    h.raw("<table id=\"blocker-table\"><thead><tr><th>Reason</th><th class=\"num\">Trainees</th>"
          "<th class=\"num\">Of not ready</th><th></th></tr></thead><tbody>");
    for (const auto& [kind, n] : ranked) {
      h.raw("<tr data-key=\"").text(kind).raw("\"><td><strong>").text(blocker_short(kind))
          .raw("</strong><br><span class=\"muted\">").text(blocker_name(kind)).raw("</span></td>");
      h.cell("trainees", n);
      h.raw("<td class=\"num\">").raw(percent(n, all.not_ready)).raw("</td><td>");
      h.raw("<svg viewBox=\"0 0 100 12\" width=\"100\" height=\"12\" aria-hidden=\"true\">"
            "<rect class=\"track\" width=\"100\" height=\"12\"/><rect class=\"blocker\" width=\"")
          .num(n * 100 / most).raw("\" height=\"12\"/></svg></td></tr>");
    }
    h.raw("</tbody></table>");
  }
  h.raw("</section>");
}

// Readiness by the sector each trainee prefers.
void sectors_section(Html& h, const DashboardData& d) {
  h.raw("<section id=\"sectors\"><h2>Readiness by sector</h2><p class=\"hint\">By the sector each trainee "
        "prefers.</p>");
  readiness_table(h, "sector-table", "Sector", d.by_sector, sector_name);
  h.raw("</section>");
}

// One registered centre: its readiness figures and its health as it last reported it.
void centre_row(Html& h, const CenterHealth& c, const ReportRow& r, std::int64_t now_ms) {
  h.raw("<tr data-key=\"").text(c.center).raw("\"").raw(c.stale ? " class=\"stale\"" : "").raw("><td class=\"key\">")
      .text(c.center);
  if (c.stale) h.raw(c.last_seen_ms ? "<span class=\"badge\">STALE</span>" : "<span class=\"badge\">NEVER SEEN</span>");
  h.raw("</td><td data-field=\"name\">").text(c.name).raw("</td><td data-value=\"").text(c.region).raw("\">")
      .text(region_name(c.region)).raw("</td>");
  h.cell("trainees", r.trainees).cell("ready", r.ready).cell("not_ready", r.not_ready);
  if (!c.last_seen_ms) {
    h.raw("<td data-value=\"0\" class=\"muted\">never</td><td class=\"num muted\" data-value=\"-1\">\u2014</td>"
          "<td class=\"num muted\" data-value=\"0\">\u2014</td><td class=\"num muted\" data-value=\"-1\">\u2014</td>"
          "<td class=\"muted\">\u2014</td></tr>");
    return;
  }
  const std::int64_t seen = *c.last_seen_ms;
  h.raw("<td data-field=\"last_seen\" data-value=\"").num(seen / 1000).raw("\"><time datetime=\"")
      .raw(utc_time(seen)).raw("\">").raw(local_time(seen)).raw("</time><br><span class=\"muted\">")
      .raw(ago(now_ms - seen)).raw("</span></td>");
  h.cell("pending", c.pending);
  const std::int64_t offset_s = c.clock_offset_ms / 1000;
  h.raw("<td class=\"num").raw(offset_s > 300 || offset_s < -300 ? " warn" : "").raw("\" data-value=\"")
      .num(offset_s).raw("\">").raw(offset_s > 0 ? "+" : "").num(offset_s).raw(" s</td>");
  const std::int64_t days = (c.cert_expires_at * 1000 - now_ms) / 86'400'000;
  h.raw("<td class=\"num").raw(days < 30 ? " warn" : "").raw("\" data-value=\"").num(days).raw("\">")
      .raw(days < 0 ? "expired" : figure(days) + " days").raw("</td><td>").text(c.agent_version);
  if (!c.last_error.empty()) h.raw(" <span class=\"muted\" title=\"").text(c.last_error).raw("\">(error)</span>");
  h.raw("</td></tr>");
}

// Every centre: readiness and health, stale ones marked; centres the hub does not know, shown too.
void centres_section(Html& h, const DashboardData& d) {
  std::map<std::string, const ReportRow*> centre_rows;
  for (const auto& r : d.by_center) centre_rows[r.key] = &r;
  h.raw("<section id=\"centres\"><div class=\"toolbar\"><h2>Centres</h2><label><input type=\"checkbox\" "
        "id=\"only-stale\"> only stale centres</label></div><p class=\"hint\">Health as each centre last reported it "
        "when it synced. <span class=\"badge\">STALE</span> not seen for 7 days or never: its figures above may be "
        "out of date.</p>");
  if (d.centres.empty() && d.by_center.empty()) {
    h.raw("<p class=\"muted\">No centre is registered yet (<code>epsync hub center add</code>).</p>");
  } else {
    h.raw("<table id=\"centre-table\" class=\"sortable\"><thead><tr><th>Centre</th><th>Name</th><th>Region</th>"
          "<th class=\"num\">Trainees</th><th class=\"num\">Ready</th><th class=\"num\">Not ready</th>"
          "<th>Last seen</th><th class=\"num\">Pending</th><th class=\"num\">Clock</th>"
          "<th class=\"num\">Certificate</th><th>Agent</th></tr></thead><tbody>");
    std::map<std::string, bool> shown;
    const ReportRow none{};
    auto row_of = [&](const std::string& id) -> const ReportRow& {
      auto it = centre_rows.find(id);
      return it == centre_rows.end() ? none : *it->second;
    };
    for (const auto& c : d.centres) {
      shown[c.center] = true;
      centre_row(h, c, row_of(c.center), d.now_ms);
    }
    // Trainees owned by a centre the hub does not know (should not happen; shown, not hidden).
    for (const auto& r : d.by_center) {
      if (shown[r.key]) continue;
      h.raw("<tr data-key=\"").text(r.key).raw("\" class=\"stale\"><td>").text(r.key)
          .raw("<span class=\"badge\">NOT REGISTERED</span></td><td></td><td></td>");
      const ReportRow& figures = row_of(r.key);
      h.cell("trainees", figures.trainees).cell("ready", figures.ready).cell("not_ready", figures.not_ready);
      h.raw("<td class=\"muted\">\u2014</td><td></td><td></td><td></td><td></td></tr>");
    }
    h.raw("</tbody></table>");
  }
  h.raw("</section>");
}

// The same IIN active at several centres, masked.
void duplicates_section(Html& h, const DashboardData& d) {
  h.raw("<section id=\"duplicates\"><h2>Duplicate enrolments <span class=\"muted\">(")
      .raw(figure(static_cast<std::int64_t>(d.duplicates.size())))
      .raw(")</span></h2><p class=\"hint\">The same IIN enrolled and active at several centres. IINs are masked "
           "here; <code>epsync hub duplicates</code> lists them in full.</p>");
  if (d.duplicates.empty()) {
    h.raw("<p class=\"muted\">None.</p>");
  } else {
    h.raw("<table id=\"duplicate-table\"><thead><tr><th>IIN</th><th>Enrolled at</th></tr></thead><tbody>");
    for (const auto& dup : d.duplicates) {
      std::string masked = dup.iin.size() > 4 ? std::string(dup.iin.size() - 4, '*') + dup.iin.substr(dup.iin.size() - 4)
                                              : std::string(dup.iin.size(), '*');
      h.raw("<tr><td><code>").text(masked).raw("</code></td><td>");
      for (size_t i = 0; i < dup.centers.size(); ++i) h.raw(i ? ", " : "").text(dup.centers[i]);
      h.raw("</td></tr>");
    }
    h.raw("</tbody></table>");
  }
  h.raw("</section>");
}

// Concurrent writes to safety-relevant fields not yet decided.
void conflicts_section(Html& h, const DashboardData& d) {
  h.raw("<section id=\"conflicts\"><h2>Conflicts waiting for review <span class=\"muted\">(")
      .raw(figure(static_cast<std::int64_t>(d.conflicts.size())))
      .raw(")</span></h2><p class=\"hint\">Concurrent writes to a safety-relevant field: the later one was kept, "
           "the other is waiting for a decision with <code>epsync hub conflicts resolve ID</code>.</p>");
  if (d.conflicts.empty()) {
    h.raw("<p class=\"muted\">None.</p>");
  } else {
    h.raw("<table id=\"conflict-table\"><thead><tr><th class=\"num\">ID</th><th>Centre</th><th>Field</th>"
          "<th>Lost write made</th><th>By</th></tr></thead><tbody>");
    for (const auto& c : d.conflicts) {
      h.raw("<tr data-key=\"").num(c.id).raw("\"><td class=\"num\">").num(c.id).raw("</td><td>").text(c.center)
          .raw("</td><td>").text(field_name(c.table, c.column)).raw("</td><td>")
          .raw(local_time(static_cast<std::int64_t>(c.loser_hlc >> 16))).raw("</td><td>").text(c.loser_operator)
          .raw("</td></tr>");
    }
    h.raw("</tbody></table>");
  }
  h.raw("</section>");
}

// Where the figures come from, their JSON twins, and the script.
void page_foot(Html& h, const std::string& as_of, const std::string& nonce) {
  h.raw("<footer>Figures computed by the hub with the readiness engine every centre uses, as "
        "<code>epsync hub report</code> prints them; as JSON: <a href=\"/api/report?by=region&amp;as_of=")
      .raw(as_of).raw("\">by region</a>, <a href=\"/api/report?by=center&amp;as_of=").raw(as_of)
      .raw("\">by centre</a>, <a href=\"/api/report?by=sector&amp;as_of=").raw(as_of)
      .raw("\">by sector</a>. Read-only.</footer>");
  h.raw("<script nonce=\"").raw(nonce).raw("\">").raw(kDashboardScript).raw("</script></body></html>\n");
}

}  // namespace

Result<DashboardData> gather_dashboard(Store& store, const Date& as_of, std::int64_t now_ms) {
  // One read transaction: every figure on the page comes from the same snapshot, also while the
  // daemon commits (WAL readers do not block the writer).
  Txn snapshot(store.db());
  EPSYNC_RETURN_IF_ERROR(snapshot.begin(Txn::Kind::kDeferred));
  DashboardData d;
  d.as_of = as_of;
  d.now_ms = now_ms;
  auto reports = readiness_reports(store, as_of);
  if (!reports.ok()) return reports.status();
  d.by_region = std::move(reports->by_region);
  d.by_center = std::move(reports->by_center);
  d.by_sector = std::move(reports->by_sector);
  auto health = center_health(store, now_ms);
  if (!health.ok()) return health.status();
  d.centres = std::move(health).value();
  auto dups = duplicate_enrolments(store);
  if (!dups.ok()) return dups.status();
  d.duplicates = std::move(dups).value();
  auto open = conflicts(store, false);
  if (!open.ok()) return open.status();
  d.conflicts = std::move(open).value();
  snapshot.rollback();
  return d;
}

std::string render_dashboard(const DashboardData& d, const std::string& nonce) {
  Html h;
  const Totals all = totals(d.by_region);
  const std::string as_of = format_date(d.as_of);
  page_head(h, d, as_of, nonce);
  headline(h, d, all);
  regions_section(h, d);
  h.raw("<div class=\"two\">");
  blockers_section(h, d, all);
  sectors_section(h, d);
  h.raw("</div>");
  centres_section(h, d);
  h.raw("<div class=\"two\">");
  duplicates_section(h, d);
  conflicts_section(h, d);
  h.raw("</div></main>");
  page_foot(h, as_of, nonce);
  return h.take();
}

}  // namespace epsync::hub
