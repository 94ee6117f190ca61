// The hub's HTTP listener over real sockets on 127.0.0.1, the real hub daemon as a child process:
// /healthz, authentication, /metrics (checked with a strict parser, and its counters moving as
// centres sync), /api/report against `epsync hub report --format json`, and the dashboard
// escaping what the store holds.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <sstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "http/http_fixture.h"
#include "http/prometheus.h"

using namespace epsync;
using namespace epsync::test;
using nlohmann::json;

namespace {

const std::string kToken = "tok-8f1d2c3b4a5e6f708192a3b4c5d6e7f8";
const std::string kEvilName = "<script>alert(1)</script>";

PromText scrape(HttpHub& hub) {
  auto r = hub.get("/metrics");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  CHECK(r->get_header_value("Content-Type").find("version=0.0.4") != std::string::npos);
  std::string error;
  PromText p = parse_prometheus(r->body, error);
  REQUIRE_MESSAGE(error.empty(), error << "\n" << r->body);
  return p;
}

double metric(const PromText& p, const std::string& name, const PromLabels& labels = {}) {
  auto v = p.value(name, labels);
  REQUIRE_MESSAGE(v.has_value(), "no series " << name);
  return *v;
}

// The row changes a centre made itself (its own site's log).
std::int64_t own_changes(const Centre& c) {
  return scalar(c.db,
                "SELECT count(*) FROM change_log l JOIN site s ON s.id = l.site "
                "WHERE s.uuid = (SELECT value FROM meta WHERE key = 'site_id')");
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// `epsync hub report` as a table and as CSV, checked figure by figure against its JSON.
void check_table_and_csv_match_json(HttpHub& hub, const std::string& by, const std::string& as_of) {
  CAPTURE(by);
  auto as_json = hub.cli({"report", "--by", by, "--as-of", as_of, "--format", "json"});
  auto as_csv = hub.cli({"report", "--by", by, "--as-of", as_of, "--format", "csv"});
  auto as_table = hub.cli({"report", "--by", by, "--as-of", as_of});
  REQUIRE_MESSAGE(as_json.exit_code == 0, as_json.err);
  REQUIRE_MESSAGE(as_csv.exit_code == 0, as_csv.err);
  REQUIRE_MESSAGE(as_table.exit_code == 0, as_table.err);
  const json rows = json::parse(as_json.out)["rows"];

  std::istringstream csv(as_csv.out);
  std::string line;
  REQUIRE(std::getline(csv, line));
  CHECK(line == by + ",trainees,ready,not_ready,leading_blocker\r");
  std::int64_t total = 0, ready = 0;
  for (const auto& row : rows) {
    REQUIRE(std::getline(csv, line));
    std::string lead;
    std::int64_t most = 0;
    for (const auto& [kind, n] : row["blockers"].items())
      if (n.get<std::int64_t>() > most) most = n.get<std::int64_t>(), lead = kind;
    CHECK(line == row[by].get<std::string>() + "," + std::to_string(row["trainees"].get<std::int64_t>()) + "," +
                      std::to_string(row["ready"].get<std::int64_t>()) + "," +
                      std::to_string(row["not_ready"].get<std::int64_t>()) + "," + lead + "\r");
    total += row["trainees"].get<std::int64_t>();
    ready += row["ready"].get<std::int64_t>();
  }
  CHECK_FALSE(std::getline(csv, line));

  // The table: a header, a line per row (key, trainees, ready, not ready, "kind n, kind n"), a total.
  std::istringstream table(as_table.out);
  REQUIRE(std::getline(table, line));
  CHECK(line.rfind(by, 0) == 0);
  const std::regex row_re(R"(^(.*\S)\s+(\d+)\s+(\d+)\s+(\d+)(?:  (.*))?$)");
  for (const auto& row : rows) {
    REQUIRE(std::getline(table, line));
    std::smatch m;
    REQUIRE_MESSAGE(std::regex_match(line, m, row_re), line);
    CHECK(m[1].str() == row[by].get<std::string>());
    CHECK(std::stoll(m[2].str()) == row["trainees"].get<std::int64_t>());
    CHECK(std::stoll(m[3].str()) == row["ready"].get<std::int64_t>());
    CHECK(std::stoll(m[4].str()) == row["not_ready"].get<std::int64_t>());
    std::string blockers;
    for (const auto& [kind, n] : row["blockers"].items())
      blockers += (blockers.empty() ? "" : ", ") + kind + " " + std::to_string(n.get<std::int64_t>());
    CHECK(m[5].str() == blockers);
  }
  REQUIRE(std::getline(table, line));
  std::smatch m;
  REQUIRE_MESSAGE(std::regex_match(line, m, row_re), line);
  CHECK(m[1].str() == "all");
  CHECK(std::stoll(m[2].str()) == total);
  CHECK(std::stoll(m[3].str()) == ready);
  CHECK(total > 0);
}

// /healthz needs no token; everything else does.
void check_only_health_without_token(HttpHub& hub) {
  auto health = hub.get("/healthz", false);
  REQUIRE(health);
  CHECK(health->status == 200);
  CHECK(health->body == "ok");

  // Everything else does: none, a wrong one, the right one as Bearer or as basic password.
  for (const char* path : {"/metrics", "/", "/api/report", "/no-such-page"}) {
    CAPTURE(path);
    auto none = hub.get(path, false);
    REQUIRE(none);
    CHECK(none->status == 401);
    CHECK(none->get_header_value("WWW-Authenticate").rfind("Basic ", 0) == 0);
    CHECK(none->body.find("ALM-014") == std::string::npos);
    auto wrong = hub.get(path, httplib::Headers{{"Authorization", "Bearer " + kToken + "x"}});
    REQUIRE(wrong);
    CHECK(wrong->status == 401);
    auto wrong_basic = hub.get(path, httplib::Headers{{"Authorization", basic_auth("analyst", "guess")}});
    REQUIRE(wrong_basic);
    CHECK(wrong_basic->status == 401);
    auto basic = hub.get(path, httplib::Headers{{"Authorization", basic_auth("analyst", kToken)}});
    REQUIRE(basic);
    CHECK(basic->status == (std::string(path) == "/no-such-page" ? 404 : 200));
    auto bearer = hub.get(path, true);
    REQUIRE(bearer);
    CHECK(bearer->status == (std::string(path) == "/no-such-page" ? 404 : 200));
  }
  CHECK(hub.log().find("wrong token") != std::string::npos);
}

// The counters and gauges after ALM-014 and AST-001 synced once each (SHY-007 never did):
// `pushed` row changes since `before`, the syncs started at `started` (Unix seconds).
void check_metrics_moved_with_syncs(const PromText& before, const PromText& after, double pushed, std::int64_t started) {
  CHECK(metric(after, "epsync_hub_sessions_total") - metric(before, "epsync_hub_sessions_total") == 2);
  CHECK(metric(after, "epsync_hub_changes_applied_total") - metric(before, "epsync_hub_changes_applied_total") == pushed);
  CHECK(metric(after, "epsync_hub_cells_applied_total") - metric(before, "epsync_hub_cells_applied_total") >= pushed);
  CHECK(metric(after, "epsync_hub_changes_quarantined_total") == 0);
  CHECK(metric(after, "epsync_hub_received_bytes_total") > metric(before, "epsync_hub_received_bytes_total") + 500);
  CHECK(metric(after, "epsync_hub_sent_bytes_total") > metric(before, "epsync_hub_sent_bytes_total") + 100);
  const double batches = metric(after, "epsync_hub_batch_commit_seconds_count") -
                         metric(before, "epsync_hub_batch_commit_seconds_count");
  CHECK(batches >= 2);
  CHECK(metric(after, "epsync_hub_batches_committed_total") == metric(after, "epsync_hub_batch_commit_seconds_count"));
  CHECK(metric(after, "epsync_hub_batch_commit_seconds_sum") > 0);
  CHECK(metric(after, "epsync_hub_batch_commit_seconds_bucket", {{"le", "+Inf"}}) ==
        metric(after, "epsync_hub_batch_commit_seconds_count"));
  for (const auto& [id, region] : {std::pair{"ALM-014", "almaty"}, std::pair{"AST-001", "astana"}}) {
    CAPTURE(id);
    PromLabels l{{"center", id}, {"region", region}};
    double seen = metric(after, "epsync_hub_center_last_seen_timestamp_seconds", l);
    CHECK(seen >= static_cast<double>(started - 2));
    CHECK(seen <= static_cast<double>(unix_now() + 2));
    CHECK(metric(after, "epsync_hub_center_pending_changes", l) == 0);
    CHECK(metric(after, "epsync_hub_center_stale", l) == 0);
    CHECK(metric(after, "epsync_hub_center_certificate_expiry_timestamp_seconds", l) > static_cast<double>(unix_now()));
  }
  CHECK(metric(after, "epsync_hub_centers") == 3);
  CHECK(metric(after, "epsync_hub_centers_stale") == 1);
}

// /api/report: the very bytes of `epsync hub report --format json`, for each grouping; bad
// parameters are refused.
void check_api_report_equals_cli(HttpHub& hub) {
  for (const char* by : {"region", "center", "sector"}) {
    for (const char* as_of : {"2026-06-01", ""}) {
      CAPTURE(by);
      CAPTURE(as_of);
      std::vector<std::string> args = {"report", "--by", by, "--format", "json"};
      std::string path = std::string("/api/report?by=") + by;
      if (*as_of) {
        args.insert(args.end(), {"--as-of", as_of});
        path += std::string("&as_of=") + as_of;
      }
      auto cli = hub.cli(args);
      REQUIRE_MESSAGE(cli.exit_code == 0, cli.err);
      auto api = hub.get(path);
      REQUIRE(api);
      CHECK(api->status == 200);
      CHECK(api->get_header_value("Content-Type").rfind("application/json", 0) == 0);
      CHECK(json::parse(api->body) == json::parse(cli.out));
      CHECK(api->body == cli.out);
    }
  }
  for (const char* by : {"region", "center", "sector"}) check_table_and_csv_match_json(hub, by, "2026-06-01");
  auto region = json::parse(hub.get("/api/report?by=region&as_of=2026-06-01")->body);
  CHECK(region["rows"].size() == 20);
  auto centre = json::parse(hub.get("/api/report?by=center&as_of=2026-06-01")->body);
  REQUIRE(centre["rows"].size() == 3);
  CHECK(centre["rows"][0]["center"] == "ALM-014");
  CHECK(centre["rows"][0]["trainees"] == 3);
  CHECK(json::parse(hub.get("/api/report")->body)["by"] == "region");  // the default grouping
  for (const char* bad : {"/api/report?by=district", "/api/report?as_of=2026-13-01", "/api/report?as_of=soon"}) {
    CAPTURE(bad);
    auto r = hub.get(bad);
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(json::parse(r->body).contains("error"));
  }
}

// The reference date as people here write it (DD.MM.YYYY) is read like ISO; one in neither form gets
// a page that says why, quoting the value as text.
void check_dashboard_dates(HttpHub& hub) {
  auto local = hub.get("/?as_of=06.12.2026");
  REQUIRE(local);
  CHECK(local->status == 200);
  CHECK(local->body.find("id=\"as-of\">2026-12-06<") != std::string::npos);
  auto iso = hub.get("/?as_of=2026-12-06");
  REQUIRE(iso);
  CHECK(iso->body.find("id=\"total-trainees\" data-value=\"5\"") != std::string::npos);
  CHECK(local->body.find("id=\"total-trainees\" data-value=\"5\"") != std::string::npos);
  auto api = hub.get("/api/report?by=region&as_of=06.12.2026");
  REQUIRE(api);
  CHECK(api->status == 200);
  CHECK(api->body == hub.get("/api/report?by=region&as_of=2026-12-06")->body);
  for (const char* bad : {"31.02.2026", "6.12.2026", "2026-12-6"}) {
    CAPTURE(bad);
    auto r = hub.get(std::string("/?as_of=") + bad);
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(r->get_header_value("Content-Type").rfind("text/html", 0) == 0);
    CHECK(r->body.find(std::string("as_of: must be a date as DD.MM.YYYY or YYYY-MM-DD, got &#39;") + bad + "&#39;") !=
          std::string::npos);
    auto j = hub.get(std::string("/api/report?as_of=") + bad);
    REQUIRE(j);
    CHECK(j->status == 400);
    CHECK(json::parse(j->body)["error"] ==
          std::string("as_of: must be a date as DD.MM.YYYY or YYYY-MM-DD, got '") + bad + "'");
  }
  auto markup = hub.get("/?as_of=%3Cscript%3Ealert(1)%3C/script%3E");
  REQUIRE(markup);
  CHECK(markup->status == 400);
  CHECK(markup->body.find("<script>") == std::string::npos);
  CHECK(markup->body.find("&lt;script&gt;alert(1)") != std::string::npos);
}

// The dashboard: markup from the store is text, the page's own script is the only one.
void check_dashboard_escapes_the_store(HttpHub& hub) {
  auto page = hub.get("/?as_of=2026-06-01");
  REQUIRE(page);
  REQUIRE(page->status == 200);
  CHECK(page->get_header_value("Content-Type").rfind("text/html", 0) == 0);
  const std::string& html = page->body;
  CHECK(html.find(kEvilName) == std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  std::size_t scripts = 0;
  for (auto at = html.find("<script"); at != std::string::npos; at = html.find("<script", at + 1)) ++scripts;
  CHECK(scripts == 1);
  std::string csp = page->get_header_value("Content-Security-Policy");
  CHECK(csp.find("default-src 'none'") != std::string::npos);
  CHECK(csp.find("script-src 'nonce-") != std::string::npos);
  CHECK(html.find("id=\"total-trainees\" data-value=\"5\"") != std::string::npos);
  CHECK(html.find("<tr data-key=\"SHY-007\" class=\"stale\">") != std::string::npos);
  CHECK(html.find("<tr data-key=\"ALM-014\">") != std::string::npos);
  CHECK(html.find("http://") == std::string::npos);  // nothing fetched from elsewhere
  CHECK(html.find("https://") == std::string::npos);
  auto bad_date = hub.get("/?as_of=someday");
  REQUIRE(bad_date);
  CHECK(bad_date->status == 400);
  check_dashboard_dates(hub);
}

}  // namespace

TEST_CASE("http: health, token, metrics that move with syncs, /api/report equals the CLI, escaped dashboard") {
  NetWorld w;
  w.port = free_port();
  Centre& alm = w.add_centre("ALM-014", "almaty");
  Centre& ast = w.add_centre("AST-001", "astana");
  // A centre whose name is markup; registered, never synced.
  auto reg = w.hub_cmd({"center", "add", "SHY-007", "--region", "shymkent", "--name", kEvilName});
  REQUIRE_MESSAGE(reg.exit_code == 0, reg.err);
  for (int i = 0; i < 3; ++i) w.enrol("ALM-014", "Әбенова");
  for (int i = 0; i < 2; ++i) w.enrol("AST-001", "Ёлкина");

  HttpHub hub(w, kToken);
  hub.start();

  check_only_health_without_token(hub);

  // Metrics before and after two centres sync.
  PromText before = scrape(hub);
  CHECK(before.families.at("epsync_hub_batch_commit_seconds").type == "histogram");
  CHECK(before.families.at("epsync_hub_sessions").type == "gauge");
  CHECK(before.families.at("epsync_hub_sessions_total").type == "counter");
  CHECK(metric(before, "epsync_hub_store_up") == 1);
  CHECK(metric(before, "epsync_hub_center_stale", {{"center", "SHY-007"}, {"region", "shymkent"}}) == 1);
  CHECK_FALSE(before.value("epsync_hub_center_last_seen_timestamp_seconds", {{"center", "ALM-014"}, {"region", "almaty"}}));
  std::int64_t started = unix_now();
  w.must_sync("ALM-014");
  w.must_sync("AST-001");
  const double pushed = static_cast<double>(own_changes(alm) + own_changes(ast));
  REQUIRE(pushed >= 5);

  PromText after = scrape(hub);
  check_metrics_moved_with_syncs(before, after, pushed, started);
  // The sessions end after the syncs: the gauge comes back to 0.
  double open = -1;
  for (int i = 0; i < 100 && open != 0; ++i) {
    open = metric(scrape(hub), "epsync_hub_sessions");
    if (open != 0) std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  CHECK(open == 0);

  check_api_report_equals_cli(hub);

  check_dashboard_escapes_the_store(hub);

  CHECK(hub.stop() == 0);
  CHECK(hub.log().find("<3>") == std::string::npos);  // no error-level line
}

TEST_CASE("http: without a token only /healthz, a taken HTTP port does not stop syncing, a bad address is refused") {
  NetWorld w;
  w.port = free_port();
  w.add_centre("ALM-014", "almaty");
  w.enrol("ALM-014", "Құрманова");

  // No http.token: a warning, /healthz only.
  {
    HttpHub hub(w, "");
    hub.start();
    CHECK(hub.log().find("no http.token") != std::string::npos);
    auto h = hub.get("/healthz", false);
    REQUIRE(h);
    CHECK(h->status == 200);
    for (const char* path : {"/metrics", "/", "/api/report"}) {
      CAPTURE(path);
      auto r = hub.get(path, httplib::Headers{{"Authorization", "Bearer anything"}});
      REQUIRE(r);
      CHECK(r->status == 403);
      CHECK(r->body.find("http.token") != std::string::npos);
    }
    CHECK(hub.stop() == 0);
  }

  // The HTTP port is taken: the hub says so and goes on syncing.
  LoopbackListener taken_port;
  std::string taken = taken_port.address();
  {
    HttpHub hub(w, kToken);
    hub.start(taken);
    CHECK(hub.log().find("cannot listen for HTTP on " + taken) != std::string::npos);
    w.must_sync("ALM-014");
    CHECK(scalar(w.hub_db, "SELECT count(*) FROM trainee") == 1);
    CHECK(hub.stop() == 0);
  }
  taken_port.close();

  // An [http] address that is not IP:port is a configuration error, like listen.address.
  for (const char* bad : {"localhost:7080", "127.0.0.1", "127.0.0.1:99999"}) {
    CAPTURE(bad);
    std::string config = w.dir.file("bad-http.toml");
    write_file_bytes(config, "[listen]\naddress = \"127.0.0.1:" + std::to_string(free_port()) + "\"\n[tls]\nca = \"" +
                                 w.ca_crt + "\"\ncert = \"" + w.dir.file("hub.crt") + "\"\nkey = \"" +
                                 w.dir.file("hub.key") + "\"\n[store]\npath = \"" + w.hub_db + "\"\n[http]\naddress = \"" +
                                 bad + "\"\ntoken = \"" + kToken + "\"\n");
    auto r = w.epsync({"hub", "--config", config}, 10);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("http.address") != std::string::npos);
  }
}

TEST_CASE("http: a refused request cannot forge a log line with a priority of its own") {
  NetWorld w;
  w.port = free_port();
  w.add_centre("ALM-014", "almaty");
  HttpHub hub(w, kToken);
  hub.start();
  // The path decodes to a newline, "<0>" (emergency, in journald's reading of stderr) and an
  // ESC sequence; the wrong token gets it logged as a warning.
  auto r = hub.get("/metrics%0A%3C0%3Eforged%1B%5B2J", httplib::Headers{{"Authorization", "Bearer wrong"}});
  REQUIRE(r);
  CHECK(r->status == 401);
  CHECK(hub.stop() == 0);
  std::string log = hub.log();
  CHECK(log.find("/metrics\\n<0>forged\\x1b[2J from 127.0.0.1: wrong token") != std::string::npos);
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    CAPTURE(line);
    CHECK(line.rfind("<0>", 0) != 0);
    CHECK(line.find('\x1b') == std::string::npos);
  }
}
