// Benchmark: finding trainees at a centre of N trainees (default 5,000 and 50,000). Times, median
// of `runs`: the list query alone, the search as shipped (ICU folding as a SQLite function on the
// connection), the same search done by reading every trainee and matching in C++ (the alternative
// not taken), the short ids of every trainee, and `epsync trainee list --search` / `trainee show
// NAME` through the binary. Usage: bench_search [trainees...] (default 5000 50000). Prints one line per size.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "records/iin.h"
#include "records/model.h"
#include "records/records.h"
#include "records/trainee_ids.h"
#include "records/trainee_search.h"
#include "storage/change_log.h"
#include "support/run.h"
#include "support/temp_dir.h"

using namespace epsync;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point a) { return std::chrono::duration<double, std::milli>(Clock::now() - a).count(); }

template <class F>
double median_ms(int runs, F&& fn) {
  std::vector<double> v;
  for (int i = 0; i < runs; ++i) {
    auto t = Clock::now();
    fn();
    v.push_back(ms_since(t));
  }
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void must(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, s.message().c_str());
    std::exit(1);
  }
}

const char* kSurnames[] = {"Нурланов", "Қасымова", "Ахметов", "Сейітқали", "Ким", "Иванова", "Жұмабаев",
                           "Әбдірахманова", "Ёлкин", "Смагулов", "Оспанова", "Түсіпбеков", "Петров", "Ли"};
const char* kGiven[] = {"Айдар", "Әлия", "Ерлан", "Гүлнар", "Сергей", "Дәурен", "Мария", "Нұрсұлтан", "Асель"};

void fill(const std::string& db, int n) {
  auto s = Store::open(db, eps_store_options());
  must(s.status(), "open");
  WriteTxn w(*s.value());
  must(w.begin(), "begin");
  Records r(w, "ALM-014", Date{2026, 12, 6});
  for (int i = 0; i < n; ++i) {
    TraineeFields f;
    Date birth = add_days(Date{1988, 1, 1}, i % 7000);
    f.iin = make_iin(birth, 'M', 1000 + (i / 7000) * 7);
    f.surname = std::string(kSurnames[i % 14]) + (i % 3 ? "" : std::to_string(i));
    f.given_name = kGiven[(i / 14) % 9];
    f.birth_date = format_date(birth);
    f.sex = "M";
    must(r.add_trainee(f, FieldStyle::kColumn).status(), "add");
  }
  must(w.commit(), "commit");
}

// The alternative not taken: every trainee read out of SQLite, then matched here.
std::size_t search_in_cpp(Store& store, const std::string& text) {
  TraineeSearch search(text);
  std::size_t n = 0;
  for (const auto& t : list_trainees(store).value()) n += search.matches(t);
  return n;
}

void measure(int n, int runs) {
  test::TempDir dir;
  const std::string db = dir.file("centre.db");
  auto init = test::run({EPSYNC_BINARY, "init", "--center", "ALM-014", "--region", "almaty", "--db", db});
  if (init.exit_code != 0) std::exit(1);
  fill(db, n);
  auto s = Store::open(db, eps_store_options());
  must(s.status(), "open");
  Store& store = *s.value();
  std::size_t found = 0;
  const double list = median_ms(runs, [&] { found = list_trainees(store)->size(); });
  const double sql = median_ms(runs, [&] { found = search_trainees(store, "ӘБДІР")->size(); });
  std::size_t in_cpp = 0;
  const double cpp = median_ms(runs, [&] { in_cpp = search_in_cpp(store, "ӘБДІР"); });
  const double ids = median_ms(runs, [&] { ShortIds::load(store).value(); });
  const double cli = median_ms(runs, [&] {
    test::run({EPSYNC_BINARY, "trainee", "list", "--search", "әбдір", "--db", db});
  });
  const double cli_list = median_ms(runs, [&] { test::run({EPSYNC_BINARY, "trainee", "list", "--db", db}); });
  const double show = median_ms(runs, [&] { test::run({EPSYNC_BINARY, "trainee", "show", std::string("Ли27"), "--db", db}); });
  std::printf("%6d trainees: list query %.1f ms; search in SQLite %.1f ms (%zu found), read all and match in C++ "
              "%.1f ms (%zu found); short ids %.1f ms; CLI list --search %.0f ms, list %.0f ms, show NAME %.0f ms\n",
              n, list, sql, found, cpp, in_cpp, ids, cli, cli_list, show);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::atoi(argv[i]));
  if (sizes.empty()) sizes = {5000, 50000};
  for (int n : sizes) measure(n, 5);
}
