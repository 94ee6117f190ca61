// Benchmark: the nationwide readiness report at the hub over N trainees (default 200,000) in the
// 20 regions, each with a test result, a medical check and three document checks, computed by the
// same engine as the centres. Times the report in-process and through `epsync hub report`.
// Usage: bench_report [trainees=200000] [runs=5]. Prints a table, then one JSON line.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "hub/hub_store.h"
#include "hub/report.h"
#include "storage/change_log.h"
#include "records/iin.h"
#include "records/regions.h"
#include "support/run.h"
#include "support/temp_dir.h"
#include "records/model.h"

using namespace epsync;
using Clock = std::chrono::steady_clock;

namespace {
double secs(Clock::time_point a) { return std::chrono::duration<double>(Clock::now() - a).count(); }
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
void must(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, s.message().c_str());
    std::exit(1);
  }
}
}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 200000;
  int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  test::TempDir dir;
  std::string path = std::getenv("BENCH_KEEP") ? std::string(std::getenv("BENCH_KEEP")) : dir.file("hub.db");
  auto t0 = Clock::now();
  {
    auto hub = hub::HubStore::open(path);
    must(hub.status(), "hub");
    std::vector<std::string> centres;
    for (size_t r = 0; r < kRegions.size(); ++r)
      for (int k = 0; k < 2; ++k) {
        std::string id = "C" + std::to_string(r * 2 + static_cast<size_t>(k) + 100);
        must(hub.value()->add_center(id, kRegions[r], "Centre " + id), "centre");
        centres.push_back(id);
      }
    WriteTxn w(hub.value()->store());
    must(w.begin(), "begin");
    const char* sectors[] = {"manufacturing", "agriculture", "construction", "fishery", "service"};
    for (int i = 0; i < n; ++i) {
      const std::string& c = centres[static_cast<size_t>(i) % centres.size()];
      Date birth = add_days(Date{1988, 1, 1}, i % 7000);
      char sex = (i / 7000) % 2 ? 'M' : 'F';
      std::string id = new_row_id();
      must(w.insert("trainee", id, c,
                    {{"iin", make_iin(birth, sex, (i / 14000) * 10)}, {"surname", std::string("Қасымова")},
                     {"given_name", std::string("Әлия")}, {"birth_date", format_date(birth)},
                     {"sex", std::string(1, sex)}, {"sector", std::string(sectors[i % 5])},
                     {"status", std::string("active")}}),
           "trainee");
      must(w.insert("test_result", new_row_id(), c,
                    {{"trainee_id", id}, {"kind", std::string("eps-topik")}, {"test_date", std::string("2026-03-01")},
                     {"score", std::int64_t{60 + i % 100}}, {"source", std::string("center")}}),
           "test");
      must(w.insert("medical_check", new_row_id(), c,
                    {{"trainee_id", id}, {"check_date", std::string("2026-05-01")},
                     {"result", std::string(i % 7 ? "fit" : "unfit")}, {"valid_until", std::string("2027-05-01")}}),
           "medical");
      for (const char* kind : {"passport", "criminal-record", "immigration-record"})
        must(w.insert("document_check", new_row_id(), c,
                      {{"trainee_id", id}, {"kind", std::string(kind)},
                       {"status", std::string(i % 11 ? "verified" : "submitted")},
                       {"expires", std::string("2031-01-01")}}),
             "document");
    }
    must(w.commit(), "commit");
  }
  std::fprintf(stderr, "built a hub store with %d trainees in %.1f s\n", n, secs(t0));

  std::vector<double> in_process, cli;
  std::int64_t ready = 0;
  for (int r = 0; r < runs; ++r) {
    auto s = Store::open(path, eps_store_options());
    must(s.status(), "open");
    auto t = Clock::now();
    auto rows = hub::readiness_report(*s.value(), hub::GroupBy::kRegion, Date{2026, 11, 22});
    in_process.push_back(secs(t));
    must(rows.status(), "report");
    ready = 0;
    for (const auto& row : rows.value()) ready += row.ready;
    t = Clock::now();
    auto out = test::run({EPSYNC_BINARY, "hub", "report", "--by", "region", "--as-of", "2026-11-22", "--format", "json",
                          "--db", path});
    cli.push_back(secs(t));
    if (out.exit_code != 0) {
      std::fprintf(stderr, "cli: %s", out.err.c_str());
      return 1;
    }
  }
  std::printf("%-48s %10s %10s %10s\n", "scenario", "median s", "min s", "max s");
  std::printf("%-48s %10.3f %10.3f %10.3f\n", ("report by region, in-process, " + std::to_string(n) + " trainees").c_str(),
              median(in_process), *std::min_element(in_process.begin(), in_process.end()),
              *std::max_element(in_process.begin(), in_process.end()));
  std::printf("%-48s %10.3f %10.3f %10.3f\n", "epsync hub report --by region --format json", median(cli),
              *std::min_element(cli.begin(), cli.end()), *std::max_element(cli.begin(), cli.end()));
  std::printf("{\"bench\":\"report\",\"trainees\":%d,\"runs\":%d,\"ready\":%lld,\"in_process_median_s\":%.4f,"
              "\"cli_median_s\":%.4f}\n",
              n, runs, static_cast<long long>(ready), median(in_process), median(cli));
  return 0;
}
