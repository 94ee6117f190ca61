// Benchmark: `epsync import` of a 10,000-trainee CSV into a fresh centre store, through the real
// binary (process start, parse, validation, change capture, durable commit). Prints a table and
// a JSON line. Usage: bench_import [trainees] [runs]
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

const char* kSurnames[] = {"Қасымова", "Ахметов", "Сәрсенбай", "Ёлкин", "Өмірзақ", "Нұрланов", "Үсенова", "Жақсылық"};
const char* kGiven[] = {"Әлия", "Ерлан", "Дана", "Сергей", "Гүлнар", "Нұрлан", "Айгерім", "Іңкәр"};
const char* kSectors[] = {"manufacturing", "agriculture", "construction", "fishery", "service"};

std::string make_csv(int n) {
  std::string csv = "iin,surname,given_name,patronymic,birth_date,sex,phone,sector,status\n";
  for (int i = 0; i < n; ++i) {
    Date birth = add_days(Date{1988, 1, 1}, (i * 37) % 5000);
    char sex = i % 2 ? 'M' : 'F';
    csv += make_iin(birth, sex, i) + "," + kSurnames[i % 8] + "," + kGiven[(i / 8) % 8] + ",," + format_date(birth) +
           "," + sex + ",+7 701 " + std::to_string(1000000 + i) + "," + kSectors[i % 5] + ",active\n";
  }
  return csv;
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 10000;
  int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  test::TempDir dir;
  std::string csv_path = dir.file("trainees.csv");
  test::write_file_bytes(csv_path, make_csv(n));
  std::vector<double> secs;
  for (int r = 0; r < runs; ++r) {
    std::string db = dir.file("run" + std::to_string(r) + ".db");
    auto init = test::run({EPSYNC_BINARY, "init", "--center", "ALM-014", "--region", "almaty", "--db", db});
    if (init.exit_code != 0) {
      std::fprintf(stderr, "init failed: %s", init.err.c_str());
      return 1;
    }
    auto t0 = std::chrono::steady_clock::now();
    auto imp = test::run({EPSYNC_BINARY, "import", csv_path, "--db", db}, {}, 600);
    auto t1 = std::chrono::steady_clock::now();
    if (imp.exit_code != 0) {
      std::fprintf(stderr, "import failed: %s", imp.err.c_str());
      return 1;
    }
    secs.push_back(std::chrono::duration<double>(t1 - t0).count());
  }
  std::vector<double> sorted = secs;
  std::sort(sorted.begin(), sorted.end());
  double median = sorted[sorted.size() / 2];
  std::printf("%-34s %10s %10s %10s %14s\n", "scenario", "median s", "min s", "max s", "trainees/s");
  std::printf("%-34s %10.3f %10.3f %10.3f %14.0f\n", ("import CSV, " + std::to_string(n) + " trainees").c_str(),
              median, sorted.front(), sorted.back(), n / median);
  std::printf("{\"bench\":\"import\",\"trainees\":%d,\"runs\":%d,\"median_s\":%.4f,\"min_s\":%.4f,\"max_s\":%.4f}\n",
              n, runs, median, sorted.front(), sorted.back());
  return 0;
}
