// The dashboard in a real browser: headless Chromium opens the page of a running hub holding
// sample data for several regions (logging in with the token as basic-auth password), and every
// figure of the rendered DOM is checked against `epsync hub report --format json` and the review
// commands. A screenshot is left in the build directory for people to look at.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "http/http_fixture.h"
#include "hub/hub_store.h"
#include "storage/change_log.h"
#include "records/date.h"
#include "records/iin.h"
#include "records/records.h"
#include "storage/store.h"

using namespace epsync;
using namespace epsync::test;
using nlohmann::json;

namespace {

const std::string kToken = "browser-token-6a7b8c9d0e1f2a3b4c5d";
const Date kAsOf{2026, 6, 1};

struct SampleCentre {
  const char* id;
  const char* region;
  const char* name;
  int trainees;
  enum { kFresh, kStale, kNever } seen;
};

const SampleCentre kCentres[] = {
    {"ALM-014", "almaty", "Алматы тіл және кәсіп орталығы", 16, SampleCentre::kFresh},
    {"ALM-021", "almaty-region", "Қонаев аграрлық колледжі", 9, SampleCentre::kFresh},
    {"AST-001", "astana", "Astana Labour Mobility Centre", 14, SampleCentre::kFresh},
    {"SHY-007", "shymkent", "<script>alert(1)</script>", 8, SampleCentre::kFresh},
    {"KAR-003", "karaganda", "Қарағанды политехникалық колледжі", 7, SampleCentre::kFresh},
    {"TUR-002", "turkistan", "Түркістан оқу орталығы", 11, SampleCentre::kFresh},
    {"PAV-005", "pavlodar", "Павлодар жоғары колледжі", 5, SampleCentre::kFresh},
    {"EKZ-004", "east-kazakhstan", "Өскемен тіл орталығы", 6, SampleCentre::kStale},
    {"MAN-001", "mangystau", "Ақтау кәсіптік орталығы", 0, SampleCentre::kNever},
};

void must(const Status& s) { REQUIRE_MESSAGE(s.ok(), s.message()); }
template <class T>
T must(Result<T> r) {
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  return std::move(r).value();
}

// Trainees written at the hub store through the same validated record paths as a centre's CLI,
// each with a profile that makes it ready or holds it back for a different reason.
void write_sample_data(NetWorld& w) {
  hub::HubOptions o;
  o.operator_name = "sample";
  auto hub = must(hub::HubStore::open(w.hub_db, o));
  for (const auto& c : kCentres) must(hub->add_center(c.id, c.region, c.name));
  const char* sectors[] = {"manufacturing", "agriculture", "construction", "fishery", "service"};
  const char* surnames[] = {"Әбенова", "Құрманов", "Ёлкина", "Сейітқали", "Жұмабаев", "Ibraimova"};
  int serial = 1;
  TraineeFields first;  // ALM-014's first trainee, enrolled again at SHY-007
  for (size_t ci = 0; ci < std::size(kCentres); ++ci) {
    const auto& c = kCentres[ci];
    WriteTxn tx(hub->store());
    must(tx.begin());
    Records rec(tx, c.id, kAsOf);
    for (int i = 0; i < c.trainees; ++i, ++serial) {
      char sex = serial % 2 ? 'F' : 'M';
      Date birth = add_days(Date{1990, 1, 15}, (serial * 131) % 5000);
      TraineeFields f;
      f.iin = make_iin(birth, sex, serial);
      f.surname = surnames[serial % 6];
      f.given_name = sex == 'F' ? "Әлия" : "Ерғали";
      f.birth_date = format_date(birth);
      f.sex = std::string(1, sex);
      if (serial % 11) f.sector = sectors[(serial + ci) % 5];
      if (ci == 0 && i == 0) first = f;
      if (std::string(c.id) == "SHY-007" && i == 0) f = first;  // the same person enrolled twice
      std::string id = must(rec.add_trainee(f, FieldStyle::kFlag));
      int profile = static_cast<int>((i * 7 + ci * 3) % 10);
      if (profile != 4) must(rec.record_test(id, {"eps-topik", "2025-10-12", profile == 5 ? 61 : 120 + serial % 70}).status());
      if (profile == 6) must(rec.record_medical(id, {"2025-03-01", "fit", std::string("2026-03-01"), {}}).status());
      else if (profile == 9) must(rec.record_medical(id, {"2026-05-20", "pending", {}, {}}).status());
      else must(rec.record_medical(id, {"2026-02-01", "fit", std::string("2027-02-01"), {}}).status());
      if (profile != 7)
        must(rec.record_document(id, {"passport", "verified", std::string("N") + std::to_string(10000000 + serial),
                                      std::string("2022-01-01"), std::string("2032-01-01"), {}})
                 .status());
      must(rec.record_document(id, {"criminal-record", profile == 8 ? "submitted" : "verified", {}, {}, {}, {}}).status());
      if (profile != 9) must(rec.record_document(id, {"immigration-record", "verified", {}, {}, {}, {}}).status());
      if (serial % 17 == 0) {
        TraineeFields upd;
        upd.status = "withdrawn";
        must(rec.update_trainee(id, upd, FieldStyle::kFlag).status());
      }
    }
    must(tx.commit());
  }
  // Heartbeats: fresh ones now, one from twelve days ago; MAN-001 has never synced.
  const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch()).count();
  for (const auto& c : kCentres) {
    if (c.seen == SampleCentre::kNever) continue;
    hub::HubOptions ho;
    ho.create = false;
    std::int64_t at = c.seen == SampleCentre::kStale ? now - 12LL * 86'400'000 : now - 60'000;
    ho.clock = [at] { return at; };
    auto h = must(hub::HubStore::open(w.hub_db, ho));
    sync::Heartbeat hb;
    hb.agent_version = "0.1.0";
    hb.last_site_seq = std::string(c.id) == "TUR-002" ? 12 : 0;  // TUR-002 holds 12 changes back
    hb.clock_offset_ms = std::string(c.id) == "KAR-003" ? 412'000 : 800;
    hb.free_disk_bytes = 40LL << 30;
    hb.cert_expires_at = now / 1000 + (std::string(c.id) == "PAV-005" ? 20 : 700) * 86'400LL;
    must(h->record_heartbeat(c.id, new_random_id(), hb));
  }
  // Two concurrent writes to safety-relevant fields waiting for review (as the merge logs them).
  auto st = must(hub->store().db().prepare(
      "INSERT INTO conflict (detected_hlc, tbl, row_id, col, center, winner_val, winner_hlc, winner_site, loser_val, "
      "loser_hlc, loser_site, loser_operator) VALUES (?, ?, ?, 'result', ?, 'unfit', ?, 'hub', 'fit', ?, ?, 'registrar')"));
  for (const char* centre : {"ALM-014", "TUR-002"}) {
    HlcTime t = static_cast<HlcTime>(now - 3'600'000) << 16;
    st.bind(1, t).bind(2, "medical_check").bind(3, new_random_id()).bind(4, centre).bind(5, t).bind(6, t - 5)
        .bind(7, new_random_id());
    must(st.run());
    st.reset();
  }
}

// The part of the DOM from `start` to the next `end`.
std::string between(const std::string& dom, const std::string& start, const std::string& end) {
  auto a = dom.find(start);
  REQUIRE_MESSAGE(a != std::string::npos, "not on the page: " << start);
  auto b = dom.find(end, a);
  REQUIRE(b != std::string::npos);
  return dom.substr(a, b - a);
}

std::string digits(const std::string& s) {
  std::string out;
  for (char c : s)
    if (c >= '0' && c <= '9') out += c;
  return out;
}

// A figure of a table row or a headline: its data-value and the digits of what it shows.
void check_figure(const std::string& html, const std::string& attribute, std::int64_t expected) {
  std::regex re(attribute + " data-value=\"(-?[0-9]+)\">([^<]*)<");
  std::smatch m;
  REQUIRE_MESSAGE(std::regex_search(html, m, re), "no figure " << attribute);
  CHECK(std::stoll(m[1].str()) == expected);
  CHECK(digits(m[2].str()) == std::to_string(expected));  // what the analyst reads
}

// The rows of one grouping of the report, checked in a table of the page.
void check_table(const std::string& dom, const std::string& table_id, const json& report, const std::string& key,
                 bool leading_blocker = true) {
  std::string table = between(dom, "id=\"" + table_id + "\"", "</table>");
  for (const auto& r : report["rows"]) {
    std::string k = r[key];
    CAPTURE(table_id);
    CAPTURE(k);
    std::string row = between(table, "<tr data-key=\"" + k + "\"", "</tr>");
    for (const char* f : {"trainees", "ready", "not_ready"})
      check_figure(row, std::string("data-field=\"") + f + "\"", r[f].get<std::int64_t>());
    if (!leading_blocker) continue;
    std::string lead;  // the most frequent blocker, the first of equals (as the CSV report picks it)
    std::int64_t most = 0;
    for (const auto& [kind, n] : r["blockers"].items())
      if (n.get<std::int64_t>() > most) most = n.get<std::int64_t>(), lead = kind;
    if (lead.empty()) CHECK(row.find("data-kind=") == std::string::npos);
    else CHECK(row.find("data-kind=\"" + lead + "\"") != std::string::npos);
  }
}

json hub_json(HttpHub& hub, std::vector<std::string> args) {
  auto r = hub.cli(args);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return json::parse(r.out);
}

std::vector<std::string> chromium(const TempDir& profile, std::vector<std::string> extra) {
  const char* browser = std::getenv("EPSYNC_CHROMIUM");
  std::vector<std::string> argv = {browser && *browser ? browser : EPSYNC_CHROMIUM, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
                                   "--disable-extensions", "--user-data-dir=" + profile.path()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

// The chart: one bar per region with the report's figures.
void check_region_chart(const std::string& dom, const json& by_region) {
  std::string chart = between(dom, "id=\"region-chart\"", "</svg>");
  for (const auto& r : by_region["rows"]) {
    std::string bar = "data-region=\"" + r["region"].get<std::string>() + "\" data-trainees=\"" +
                      std::to_string(r["trainees"].get<int>()) + "\" data-ready=\"" + std::to_string(r["ready"].get<int>()) +
                      "\" data-not-ready=\"" + std::to_string(r["not_ready"].get<int>()) + "\"";
    CHECK_MESSAGE(chart.find(bar) != std::string::npos, bar);
  }
}

// Headline figures and the blockers, nationwide: the sums of the report's regions.
void check_headline_figures(const std::string& dom, const json& by_region) {
  std::int64_t trainees = 0, ready = 0, not_ready = 0;
  std::map<std::string, std::int64_t> blockers;
  for (const auto& r : by_region["rows"]) {
    trainees += r["trainees"].get<std::int64_t>();
    ready += r["ready"].get<std::int64_t>();
    not_ready += r["not_ready"].get<std::int64_t>();
    for (const auto& [kind, n] : r["blockers"].items()) blockers[kind] += n.get<std::int64_t>();
  }
  REQUIRE(trainees == 76);
  CHECK(ready > 10);
  CHECK(blockers.size() >= 5);
  check_figure(dom, "id=\"total-trainees\"", trainees);
  check_figure(dom, "id=\"total-ready\"", ready);
  check_figure(dom, "id=\"total-not-ready\"", not_ready);
  std::string blocker_table = between(dom, "id=\"blocker-table\"", "</table>");
  for (const auto& [kind, n] : blockers) {
    CAPTURE(kind);
    check_figure(between(blocker_table, "<tr data-key=\"" + kind + "\"", "</tr>"), "data-field=\"trainees\"", n);
  }
}

// Review: duplicates, conflicts, stale centres, as the CLI lists them.
void check_review_figures(HttpHub& hub, const std::string& dom) {
  json dups = hub_json(hub, {"duplicates", "--json"});
  json open = hub_json(hub, {"conflicts", "--json"});
  json health = hub_json(hub, {"center", "list", "--health", "--json"});
  CHECK(dups.size() == 1);
  CHECK(open.size() == 2);
  check_figure(dom, "id=\"duplicates-count\"", static_cast<std::int64_t>(dups.size()));
  check_figure(dom, "id=\"conflicts-count\"", static_cast<std::int64_t>(open.size()));
  std::int64_t stale = 0;
  std::string centre_table = between(dom, "id=\"centre-table\"", "</table>");
  for (const auto& c : health) {
    std::string id = c["center"];
    CAPTURE(id);
    bool marked = centre_table.find("<tr data-key=\"" + id + "\" class=\"stale\">") != std::string::npos;
    CHECK(marked == c["stale"].get<bool>());
    stale += c["stale"].get<bool>() ? 1 : 0;
    if (!c["last_seen"].is_null()) {
      std::string row = between(centre_table, "<tr data-key=\"" + id + "\"", "</tr>");
      check_figure(row, "data-field=\"pending\"", c["pending"].get<std::int64_t>());
    }
  }
  CHECK(stale == 2);
  check_figure(dom, "id=\"centres-stale\"", stale);
}

}  // namespace

TEST_CASE("browser: the dashboard shows the figures of `epsync hub report`") {
  NetWorld w;
  write_sample_data(w);
  HttpHub hub(w, kToken);
  hub.start();
  const std::string as_of = format_date(kAsOf);
  const std::string url =
      "http://analyst:" + kToken + "@127.0.0.1:" + std::to_string(hub.http_port) + "/?as_of=" + as_of;

  TempDir profile;
  auto dump = run(chromium(profile, {"--dump-dom", url}), {}, 90);
  REQUIRE_MESSAGE(dump.exit_code == 0, dump.err);
  const std::string& dom = dump.out;
  REQUIRE_MESSAGE(dom.find("id=\"region-table\"") != std::string::npos, dom.substr(0, 2000));
  CHECK(dom.find("data-js=\"ready\"") != std::string::npos);  // the inline script ran under the CSP

  json by_region = hub_json(hub, {"report", "--by", "region", "--as-of", as_of, "--format", "json"});
  json by_center = hub_json(hub, {"report", "--by", "center", "--as-of", as_of, "--format", "json"});
  json by_sector = hub_json(hub, {"report", "--by", "sector", "--as-of", as_of, "--format", "json"});
  CHECK(dom.find("id=\"as-of\">" + as_of + "<") != std::string::npos);
  check_table(dom, "region-table", by_region, "region");
  check_table(dom, "centre-table", by_center, "center", false);
  check_table(dom, "sector-table", by_sector, "sector");

  check_region_chart(dom, by_region);
  check_headline_figures(dom, by_region);
  check_review_figures(hub, dom);

  // The centre named like a script is text on the page; the page has its own script only.
  CHECK(dom.find("<script>alert(1)</script>") == std::string::npos);
  CHECK(dom.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);

  // A screenshot for people, in the build directory.
  std::filesystem::remove(EPSYNC_SCREENSHOT);
  auto shot = run(chromium(profile, {"--hide-scrollbars", "--window-size=1280,1600",
                                     std::string("--screenshot=") + EPSYNC_SCREENSHOT, url}),
                  {}, 90);
  REQUIRE_MESSAGE(shot.exit_code == 0, shot.err);
  std::string png = read_file_bytes(EPSYNC_SCREENSHOT);
  REQUIRE(png.size() > 20'000);
  CHECK(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
  MESSAGE("dashboard screenshot: " << EPSYNC_SCREENSHOT);
  CHECK(hub.stop() == 0);
}
