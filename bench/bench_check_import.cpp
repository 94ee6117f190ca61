// Benchmark: `epsync import` of 10,000 check lines (course hours, tests, medical, documents, one
// file per kind, `;`-separated as Excel writes them) into a centre of 10,000 trainees, through the
// real binary (process start, decoding, validation by the Records writers, change capture, durable
// commit). The trainees are enrolled untimed by importing their CSV first. Prints a table and JSON
// lines. Usage: bench_check_import [lines] [runs]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "records/date.h"
#include "records/iin.h"
#include "support/run.h"
#include "support/temp_dir.h"

using namespace epsync;

namespace {

std::vector<std::string> iins(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(make_iin(add_days(Date{1988, 1, 1}, (i * 37) % 6000), i % 2 ? 'M' : 'F', i));
  return out;
}

std::string trainees_csv(const std::vector<std::string>& iin) {
  std::string csv = "iin;surname;given_name;birth_date;sex\r\n";
  for (size_t i = 0; i < iin.size(); ++i) {
    Date birth = add_days(Date{1988, 1, 1}, static_cast<int>((i * 37) % 6000));
    csv += iin[i] + ";Сәрсенбай;Дана;" + format_date(birth) + ";" + (i % 2 ? "M" : "F") + "\r\n";
  }
  return csv;
}

struct Kind {
  const char* name;
  std::string header;
  std::string (*line)(int i);
};

const Kind kKinds[] = {
    {"korean", "ЖСН;Сағат;Деңгей\r\n", [](int i) { return ";" + std::to_string(100 + i % 300) + ";A2\r\n"; }},
    {"tests", "iin;kind;date;score\r\n", [](int i) { return ";eps-topik;2026-03-01;" + std::to_string(i % 201) + "\r\n"; }},
    {"medical", "ИИН;Дата;Результат;Годен до;Клиника\r\n",
     [](int) { return std::string(";2026-05-02;fit;2027-05-01;Емхана №3\r\n"); }},
    {"documents", "iin;kind;status;number;issued;expires\r\n",
     [](int i) { return ";passport;verified;N" + std::to_string(1000000 + i) + ";2021-01-15;2031-01-14\r\n"; }},
};

double seconds_of(const std::vector<std::string>& args) {
  auto t0 = std::chrono::steady_clock::now();
  auto r = test::run(args, {}, 600);
  auto t1 = std::chrono::steady_clock::now();
  if (r.exit_code != 0) {
    std::fprintf(stderr, "%s failed: %s", args[1].c_str(), r.err.c_str());
    std::exit(1);
  }
  return std::chrono::duration<double>(t1 - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 10000;
  int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  test::TempDir dir;
  const std::vector<std::string> iin = iins(n);
  std::string trainees = dir.file("trainees.csv");
  test::write_file_bytes(trainees, trainees_csv(iin));
  std::vector<std::string> files;
  for (const Kind& k : kKinds) {
    std::string csv = k.header;
    for (int i = 0; i < n; ++i) csv += iin[static_cast<size_t>(i)] + k.line(i);
    files.push_back(dir.file(std::string(k.name) + ".csv"));
    test::write_file_bytes(files.back(), csv);
  }
  std::vector<std::vector<double>> secs(std::size(kKinds));
  for (int r = 0; r < runs; ++r) {
    std::string db = dir.file("run" + std::to_string(r) + ".db");
    seconds_of({EPSYNC_BINARY, "init", "--center", "ALM-014", "--region", "almaty", "--db", db});
    seconds_of({EPSYNC_BINARY, "import", trainees, "--db", db});
    for (size_t k = 0; k < std::size(kKinds); ++k) secs[k].push_back(seconds_of({EPSYNC_BINARY, "import", files[k], "--db", db}));
  }
  std::printf("%-34s %10s %10s %10s %14s\n", "scenario", "median s", "min s", "max s", "lines/s");
  for (size_t k = 0; k < std::size(kKinds); ++k) {
    std::vector<double> s = secs[k];
    std::sort(s.begin(), s.end());
    double median = s[s.size() / 2];
    std::printf("%-34s %10.3f %10.3f %10.3f %14.0f\n",
                ("import " + std::string(kKinds[k].name) + ", " + std::to_string(n) + " lines").c_str(), median,
                s.front(), s.back(), n / median);
  }
  for (size_t k = 0; k < std::size(kKinds); ++k) {
    std::vector<double> s = secs[k];
    std::sort(s.begin(), s.end());
    std::printf("{\"bench\":\"check_import\",\"kind\":\"%s\",\"lines\":%d,\"runs\":%d,\"median_s\":%.4f,\"min_s\":%.4f,"
                "\"max_s\":%.4f}\n",
                kKinds[k].name, n, runs, s[s.size() / 2], s.front(), s.back());
  }
  return 0;
}
