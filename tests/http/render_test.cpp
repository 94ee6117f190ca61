// The HTTP side's pure parts, without sockets: the Prometheus text with hostile label values, and
// the dashboard with markup in every text that comes from the store.
#include <doctest/doctest.h>

#include "http/prometheus.h"
#include "hub/dashboard.h"
#include "hub/metrics.h"
#include "hub/report_json.h"

using namespace epsync;
using namespace epsync::hub;
using namespace epsync::test;

TEST_CASE("http render: metrics escape label values and stay strictly parseable") {
  CHECK(escape_label_value("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
  HubMetrics m;
  m.sessions_total = 3;
  m.bytes_in = 1234;
  for (double s : {0.0001, 0.003, 0.003, 0.7, 30.0}) m.commit_seconds.observe(s);
  StoreView view;
  view.ok = true;
  CenterHealth odd;
  odd.center = "A\"B\\C\nD";  // not a valid centre id, but nothing may break the format
  odd.region = "}{,=";
  odd.last_seen_ms = 1'700'000'000'000;
  odd.pending = 7;
  view.centres.push_back(odd);
  CenterHealth never;
  never.center = "SHY-007";
  never.region = "shymkent";
  never.stale = true;
  view.centres.push_back(never);
  std::string text = render_metrics(m, view, "0.1.0");
  std::string error;
  PromText p = parse_prometheus(text, error);
  REQUIRE_MESSAGE(error.empty(), error << "\n" << text);
  CHECK(p.value("epsync_hub_center_pending_changes", {{"center", odd.center}, {"region", odd.region}}) == 7);
  CHECK(p.value("epsync_hub_center_last_seen_timestamp_seconds", {{"center", odd.center}, {"region", odd.region}}) ==
        1'700'000'000);
  CHECK_FALSE(p.value("epsync_hub_center_last_seen_timestamp_seconds", {{"center", "SHY-007"}, {"region", "shymkent"}}));
  CHECK(p.value("epsync_hub_batch_commit_seconds_count") == 5);
  CHECK(p.value("epsync_hub_batch_commit_seconds_bucket", {{"le", "0.0005"}}) == 1);
  CHECK(p.value("epsync_hub_batch_commit_seconds_bucket", {{"le", "0.005"}}) == 3);
  CHECK(p.value("epsync_hub_batch_commit_seconds_bucket", {{"le", "10.0"}}) == std::nullopt);  // written "10"
  CHECK(p.value("epsync_hub_batch_commit_seconds_bucket", {{"le", "10"}}) == 4);
  CHECK(p.value("epsync_hub_batch_commit_seconds_bucket", {{"le", "+Inf"}}) == 5);
  CHECK(p.value("epsync_hub_sessions_total") == 3);
  for (const auto& [name, f] : p.families) {
    CAPTURE(name);
    CHECK(!f.help.empty());
    if (f.type == "counter") CHECK(name.size() > 6);
    if (f.type == "counter") CHECK(name.compare(name.size() - 6, 6, "_total") == 0);
  }

  // The store unreadable: the daemon's own figures still, and store_up 0.
  std::string down = render_metrics(m, StoreView{}, "0.1.0");
  PromText q = parse_prometheus(down, error);
  REQUIRE_MESSAGE(error.empty(), error);
  CHECK(q.value("epsync_hub_store_up") == 0);
  CHECK(q.families.count("epsync_hub_center_pending_changes") == 0);
}

TEST_CASE("http render: the strict parser refuses what Prometheus would refuse") {
  std::string error;
  const char* good = "# HELP x_total X.\n# TYPE x_total counter\nx_total 1\n";
  parse_prometheus(good, error);
  CHECK(error.empty());
  for (const char* bad : {
           "x_total 1\n",                                                                  // no TYPE
           "# TYPE x_total counter\nx_total 1\n",                                          // no HELP
           "# HELP x_total X.\n# TYPE x_total counter\nx_total 1",                         // no final line feed
           "# HELP x_total X.\n# TYPE x_total counter\nx_total -1\n",                      // negative counter
           "# HELP x X.\n# TYPE x gauge\nx{a=\"b\\t\"} 1\n",                               // bad escape
           "# HELP x X.\n# TYPE x gauge\nx{a=\"b\",} 1\n",                                 // trailing comma
           "# HELP x X.\n# TYPE x gauge\nx{a=\"1\"} 1\nx{a=\"1\"} 2\n",                    // series twice
           "# HELP x X.\n# TYPE x gauge\nx 1 1700000000\n",                                // timestamp
           "# HELP x X.\n# TYPE x gauge\n# HELP y Y.\n# TYPE y gauge\nx 1\ny 1\nx{a=\"1\"} 1\n",  // not together
           "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
           "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n",
           "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n",  // no +Inf
       }) {
    CAPTURE(bad);
    parse_prometheus(bad, error);
    CHECK_FALSE(error.empty());
  }
}

TEST_CASE("http render: the dashboard escapes every text from the store") {
  const std::string evil = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>&";
  DashboardData d;
  d.as_of = Date{2026, 6, 1};
  d.now_ms = 1'780'000'000'000;
  ReportRow r;
  r.key = evil;
  r.trainees = 2;
  r.not_ready = 2;
  r.blockers[evil] = 2;
  d.by_region = {r};
  d.by_center = {r};
  d.by_sector = {r};
  CenterHealth c;
  c.center = evil;
  c.name = evil;
  c.region = evil;
  c.agent_version = evil;
  c.last_error = evil;
  c.last_seen_ms = d.now_ms - 1000;
  d.centres = {c};
  d.duplicates = {Duplicate{"950101401239", {evil, "AST-001"}, {"a", "b"}}};
  Conflict k;
  k.id = 1;
  k.center = evil;
  k.table = evil;
  k.column = evil;
  k.loser_operator = evil;
  d.conflicts = {k};
  std::string html = render_dashboard(d, "abc123");
  CHECK(html.find("<script>alert") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("\"'>") == std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&gt;&lt;img src=x onerror=alert(2)&gt;&amp;") !=
        std::string::npos);
  std::size_t scripts = 0;
  for (auto at = html.find("<script"); at != std::string::npos; at = html.find("<script", at + 1)) ++scripts;
  CHECK(scripts == 1);
  CHECK(html.find("<script nonce=\"abc123\">") != std::string::npos);
  CHECK(html.find("950101401239") == std::string::npos);  // IINs masked on the page
  CHECK(html.find("********1239") != std::string::npos);
  CHECK(html_escape("a<b>&\"'") == "a&lt;b&gt;&amp;&quot;&#39;");
}

TEST_CASE("http render: report JSON keys and grouping names") {
  CHECK(parse_group_by("region") == GroupBy::kRegion);
  CHECK(parse_group_by("center") == GroupBy::kCenter);
  CHECK(parse_group_by("sector") == GroupBy::kSector);
  CHECK_FALSE(parse_group_by("centre"));
  ReportRow r;
  r.key = "ALM-014";
  r.trainees = 3;
  r.ready = 1;
  r.not_ready = 2;
  r.blockers["medical"] = 2;
  CHECK(report_json({r}, GroupBy::kCenter, Date{2026, 6, 1}) ==
        "{\n  \"as_of\": \"2026-06-01\",\n  \"by\": \"center\",\n  \"rows\": [\n    {\n      \"center\": \"ALM-014\",\n"
        "      \"trainees\": 3,\n      \"ready\": 1,\n      \"not_ready\": 2,\n      \"blockers\": {\n"
        "        \"medical\": 2\n      }\n    }\n  ]\n}");
}
