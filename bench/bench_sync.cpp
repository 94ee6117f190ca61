// Benchmarks B1 and B2 (docs/BENCHMARKS.md): a centre with N trainees and their Korean course
// records (about 16 cells each) catches up with an empty hub.
//   B1  catch-up over TLS on 127.0.0.1: the real `epsync hub` daemon and `epsync sync`, timed until
//       the agent exits (every batch acknowledged after the hub's durable commit).
//   B2a the same rows bulk-inserted into plain SQLite tables in one transaction (the ceiling);
//       B2a' the same with the settings epsync gives its own stores.
//   B2b the same row changes applied to a hub store in-process (HubStore::commit, no network).
// Usage: bench_sync [trainees=100000] [runs=3]. Prints a table, then one JSON line.
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>
#include <fcntl.h>
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "hub/hub_store.h"
#include "storage/change_log.h"
#include "records/iin.h"
#include "storage/store.h"
#include "support/run.h"
#include "support/temp_dir.h"
#include "records/model.h"

using namespace epsync;
using Clock = std::chrono::steady_clock;

namespace {

double secs(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int free_port() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  return ntohs(a.sin_port);
}

bool accepts(int port) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(s);
  return ok;
}

// User + system CPU seconds a live process has used so far (/proc/PID/stat, fields 14 and 15).
double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close + 2));
  std::string f;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i)
    if (i >= 14) ticks += std::stod(f);
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

long peak_rss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

void must(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, s.message().c_str());
    std::exit(1);
  }
}

// The centre's data: N trainees, each with a Korean course record, written with change capture.
std::int64_t build_centre(const std::string& path, int n) {
  StoreOptions o = eps_store_options();
  o.create = true;
  o.operator_name = "bench";
  auto s = Store::open(path, o);
  must(s.status(), "centre store");
  must(s.value()->set_meta("center_id", "ALM-014"), "meta");
  WriteTxn w(*s.value());
  must(w.begin(), "begin");
  const char* surnames[] = {"Қасымова", "Ахметов", "Сәрсенбай", "Ёлкин", "Өмірзақ", "Нұрланов", "Үсенова", "Жақсылық"};
  for (int i = 0; i < n; ++i) {
    Date birth = add_days(Date{1988, 1, 1}, i % 7000);
    char sex = (i / 7000) % 2 ? 'M' : 'F';
    std::string id = new_row_id();
    must(w.insert("trainee", id, "ALM-014",
                  {{"iin", make_iin(birth, sex, (i / 14000) * 10)}, {"surname", std::string(surnames[i % 8])},
                   {"given_name", std::string("Әлия")}, {"patronymic", std::string("Серікқызы")},
                   {"birth_date", format_date(birth)}, {"sex", std::string(1, sex)},
                   {"phone", "+7 701 " + std::to_string(1000000 + i)}, {"sector", std::string("manufacturing")},
                   {"status", std::string("active")}}),
         "insert trainee");
    must(w.insert("korean_course", new_row_id(), "ALM-014",
                  {{"trainee_id", id}, {"hours", std::int64_t{120 + i % 100}}, {"level", std::string("EPS-TOPIK prep")}}),
         "insert course");
  }
  std::int64_t cells = w.changes_written();
  must(w.commit(), "commit");
  return cells;
}

// BENCH_HUB_LOG=path keeps the B1 hub's log (appended). BENCH_HUB_WRAPPER / BENCH_AGENT_WRAPPER: a command (words split on spaces) to run the B1 hub or
// client under, for a profiler: BENCH_HUB_WRAPPER="valgrind --tool=callgrind".
std::vector<std::string> wrapped(const char* env, std::vector<std::string> cmd) {
  const char* w = std::getenv(env);
  if (!w || !*w) return cmd;
  std::vector<std::string> out;
  std::string word;
  for (const char* p = w;; ++p) {
    if (*p == ' ' || *p == '\0') {
      if (!word.empty()) out.push_back(word);
      word.clear();
      if (!*p) break;
    } else {
      word += *p;
    }
  }
  out.insert(out.end(), cmd.begin(), cmd.end());
  return out;
}

// B2a: the same rows copied into bare tables (no change capture, no versions) in one transaction.
// `tuned`: with the settings of epsync's own stores (16 KiB pages, WAL, synchronous=FULL, a
// 128 MiB page cache, temporary data in memory) instead of SQLite's defaults.
double plain_insert(const std::string& centre, const std::string& path, std::int64_t& cells, bool tuned) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  Db::OpenOptions oo;
  oo.create = true;
  auto db = Db::open(path, oo);
  must(db.status(), "plain db");
  Db& d = *db.value();
  if (tuned)
    must(d.exec("PRAGMA page_size = 16384; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
                "PRAGMA cache_size = -131072; PRAGMA temp_store = MEMORY"),
         "tune");
  must(d.exec("ATTACH DATABASE '" + centre + "' AS c"), "attach");
  must(d.exec("CREATE TABLE trainee (id TEXT PRIMARY KEY, center_id, iin, surname, given_name, patronymic, "
              "birth_date, sex, phone, sector, status, deleted);"
              "CREATE TABLE korean_course (id TEXT PRIMARY KEY, center_id, trainee_id, hours, level, deleted)"),
       "create");
  // Rows are read into memory first so only the inserts are timed.
  struct Row { std::vector<Value> v; };
  std::vector<Row> trainees, courses;
  for (auto [table, cols, out] : {std::tuple{"trainee", 12, &trainees}, std::tuple{"korean_course", 6, &courses}}) {
    std::string sql = std::string("SELECT ") +
                      (cols == 12 ? "id, center_id, iin, surname, given_name, patronymic, birth_date, sex, phone, sector, status, deleted"
                                  : "id, center_id, trainee_id, hours, level, deleted") +
                      " FROM c." + table;
    auto st = d.prepare(sql);
    while (st->step().value()) {
      Row r;
      for (int i = 0; i < cols; ++i) r.v.push_back(st->column_value(i));
      out->push_back(std::move(r));
    }
  }
  cells = 0;
  auto t0 = Clock::now();
  must(d.exec("BEGIN"), "begin");
  auto ins_t = d.prepare("INSERT INTO main.trainee VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
  auto ins_k = d.prepare("INSERT INTO main.korean_course VALUES (?,?,?,?,?,?)");
  for (auto [rows, st] : {std::pair{&trainees, &ins_t.value()}, std::pair{&courses, &ins_k.value()}})
    for (const auto& r : *rows) {
      for (size_t i = 0; i < r.v.size(); ++i) st->bind(static_cast<int>(i + 1), r.v[i]);
      must(st->run(), "insert");
      cells += static_cast<std::int64_t>(r.v.size() - 1);  // the id is the key, not a cell
    }
  must(d.exec("COMMIT"), "commit");
  return secs(t0, Clock::now());
}

// B2b: every row change applied through the hub's own commit path, in-process.
double hub_apply(const std::vector<RowChange>& changes, const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  auto hub = hub::HubStore::open(path);
  must(hub.status(), "hub store");
  must(hub.value()->add_center("ALM-014", "almaty", "bench"), "register");
  std::vector<hub::PushJob> jobs{hub::PushJob{"ALM-014", changes.front().site, sync::Push{1, changes}}};  // a copy, not timed
  auto t0 = Clock::now();
  auto r = hub.value()->commit(jobs);
  double s = secs(t0, Clock::now());
  must(r[0].status(), "apply");
  if (!std::holds_alternative<sync::Ack>(r[0].value())) must(Status::InvalidInput(std::get<sync::Error>(r[0].value()).message), "apply");
  return s;
}

// A test CA, the hub's certificate and ALM-014's, made with certs/epsync-certs in `dir`.
bool make_certs(const test::TempDir& dir) {
  std::string certs = std::string(EPSYNC_SOURCE_DIR) + "/certs/epsync-certs";
  for (std::vector<std::string> cmd : {std::vector<std::string>{certs, "init-ca", "--dir", dir.file("pki")},
                                       {certs, "hub", "--dir", dir.file("pki"), "--out", dir.file("hub"), "--dns", "localhost", "--ip", "127.0.0.1"},
                                       {certs, "center", "--dir", dir.file("pki"), "--out", dir.file("alm"), "--id", "ALM-014"}}) {
    auto r = test::run(cmd);
    if (r.exit_code != 0) {
      std::fprintf(stderr, "certs: %s", r.err.c_str());
      return false;
    }
  }
  return true;
}

// The centre's own changes only: after a run's B1 its store also holds what it pulled from the
// hub (the hub's reference rows), which the hub refuses from a centre.
std::vector<RowChange> load_changes(const std::string& centre) {
  auto s = Store::open(centre, eps_store_options());
  ChangeQuery q;
  q.limit = 100'000'000;
  q.site = s.value()->site_id();
  return read_changes(*s.value(), q).value();
}

// User + system CPU seconds of the children reaped so far.
double children_cpu_seconds() {
  struct rusage ru {};
  getrusage(RUSAGE_CHILDREN, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// A fresh hub store, hub.toml and alm.toml for a hub at `port`, ALM-014 registered, and the
// centre's sync state cleared so that nothing counts as already sent.
bool prepare_b1(const test::TempDir& dir, const std::string& centre, const std::string& hub_db, int port) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((hub_db + suffix).c_str());
  test::write_file_bytes(dir.file("hub.toml"), "[listen]\naddress = \"127.0.0.1:" + std::to_string(port) +
                                                   "\"\n[tls]\nca = \"" + dir.file("pki/ca.crt") + "\"\ncert = \"" +
                                                   dir.file("hub.crt") + "\"\nkey = \"" + dir.file("hub.key") +
                                                   "\"\n[store]\npath = \"" + hub_db + "\"\n");
  test::write_file_bytes(dir.file("alm.toml"), "[center]\nid = \"ALM-014\"\n[store]\npath = \"" + centre +
                                                   "\"\n[hub]\naddress = \"127.0.0.1:" + std::to_string(port) +
                                                   "\"\nca = \"" + dir.file("pki/ca.crt") + "\"\ncert = \"" +
                                                   dir.file("alm.crt") + "\"\nkey = \"" + dir.file("alm.key") + "\"\n");
  auto reg = test::run({EPSYNC_BINARY, "hub", "center", "add", "ALM-014", "--region", "almaty", "--name", "bench",
                        "--config", dir.file("hub.toml")});
  if (reg.exit_code != 0) {
    std::fprintf(stderr, "register: %s", reg.err.c_str());
    return false;
  }
  auto s = Store::open(centre, eps_store_options());
  for (const char* k : {"sync.acked", "sync.cursor", "sync.epoch", "sync.cursor_check"}) s.value()->set_meta(k, "");
  return true;
}

// `epsync hub` forked from this process, its stderr into hub.log (or BENCH_HUB_LOG).
pid_t start_hub(const test::TempDir& dir) {
  pid_t hub = fork();
  if (hub == 0) {
    const char* log_path = std::getenv("BENCH_HUB_LOG");  // keep the hub's log there, for a look
    int err = open(log_path ? log_path : dir.file("hub.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | (log_path ? 0 : O_TRUNC), 0600);
    dup2(err, 2);
    std::vector<std::string> cmd = wrapped("BENCH_HUB_WRAPPER", {EPSYNC_BINARY, "hub", "--config", dir.file("hub.toml")});
    std::vector<char*> args;
    for (auto& a : cmd) args.push_back(a.data());
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  return hub;
}

// What the runs measured.
struct Figures {
  std::vector<double> plain, tuned, apply, push, agent_cpu_s, hub_cpu_s;
  std::int64_t plain_cells = 0, bytes_sent = 0, bytes_received = 0;
  long agent_rss = 0, hub_rss = 0;
  std::size_t row_changes = 0;
};

// B1, run `r`: the real daemon and the real client, timed until the client exits.
bool run_b1(const test::TempDir& dir, const std::string& centre, int r, Figures& f) {
  int port = free_port();
  if (!prepare_b1(dir, centre, dir.file("hub.db"), port)) return false;
  pid_t hub = start_hub(dir);
  for (int i = 0; i < 200 && !accepts(port); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const double children_cpu = children_cpu_seconds();  // CPU of the children reaped before the agent started
  auto t1 = Clock::now();
  auto sync = test::run(wrapped("BENCH_AGENT_WRAPPER", {EPSYNC_BINARY, "sync", "--json", "--config", dir.file("alm.toml")}), {}, 600);
  double s = secs(t1, Clock::now());
  struct rusage ru {};
  getrusage(RUSAGE_CHILDREN, &ru);
  // RUSAGE_CHILDREN's peak covers every child reaped so far: before the first hub is reaped
  // (below) that is the agent (and the small CLI runs before it); later it would be a hub's.
  if (r == 0) f.agent_rss = ru.ru_maxrss;
  f.hub_rss = std::max(f.hub_rss, peak_rss_kb(hub));
  // Where B1's time goes: CPU of each side.
  f.agent_cpu_s.push_back(children_cpu_seconds() - children_cpu);
  f.hub_cpu_s.push_back(cpu_seconds(hub));
  kill(hub, SIGTERM);
  waitpid(hub, nullptr, 0);
  if (sync.exit_code != 0) {
    std::fprintf(stderr, "sync failed: %s%s", sync.out.c_str(), sync.err.c_str());
    return false;
  }
  auto pos = sync.out.find("\"bytes_sent\":");
  if (pos != std::string::npos) f.bytes_sent = std::stoll(sync.out.substr(pos + 13));
  pos = sync.out.find("\"bytes_received\":");
  if (pos != std::string::npos) f.bytes_received = std::stoll(sync.out.substr(pos + 17));
  f.push.push_back(s);
  return true;
}

// The table, then one JSON line.
void report(const Figures& f, int n, int runs, std::int64_t cells) {
  double p = median(f.plain), pt = median(f.tuned), a = median(f.apply), b1 = median(f.push);
  double plain_rate = static_cast<double>(f.plain_cells) / p, tuned_rate = static_cast<double>(f.plain_cells) / pt,
         apply_rate = static_cast<double>(cells) / a, push_rate = static_cast<double>(cells) / b1;
  std::printf("%-50s %10s %9s %12s %8s %8s\n", "scenario (median of runs)", "cells", "seconds", "cells/s", "vs B2a",
              "vs B2a'");
  auto row = [&](const char* name, std::int64_t c, double secs, double rate) {
    std::printf("%-50s %10lld %9.3f %12.0f %8.2f %8.2f\n", name, static_cast<long long>(c), secs, rate, rate / plain_rate,
                rate / tuned_rate);
  };
  row("B2a plain insert, one transaction, SQLite defaults", f.plain_cells, p, plain_rate);
  row("B2a' the same with epsync's store settings", f.plain_cells, pt, tuned_rate);
  row("B2b hub apply in-process (validate+merge+log)", cells, a, apply_rate);
  row("B1 catch-up over TLS to an empty hub", cells, b1, push_rate);
  std::printf("B1: %zu row changes, %lld bytes sent, %lld bytes received, peak RSS agent %ld MiB, hub %ld MiB\n",
              f.row_changes, static_cast<long long>(f.bytes_sent), static_cast<long long>(f.bytes_received),
              f.agent_rss / 1024, f.hub_rss / 1024);
  std::printf("B1 CPU (median): agent %.2f s, hub %.2f s (wall %.2f s)\n", median(f.agent_cpu_s), median(f.hub_cpu_s), b1);
  // The machine's speed drifts between runs (a shared host); B1 and B2a of the same run were
  // measured a few seconds apart, so their ratio is steadier than the ratio of the medians.
  std::vector<double> paired;
  std::printf("B1 / B2a, run by run:");
  for (std::size_t r = 0; r < f.push.size(); ++r) {
    paired.push_back(f.plain[r] / f.push[r]);
    std::printf(" %.2f", paired.back());
  }
  const double paired_median = median(paired);
  std::printf(" (median %.2f)\n", paired_median);
  std::printf("{\"bench\":\"sync\",\"trainees\":%d,\"runs\":%d,\"row_changes\":%zu,\"cells\":%lld,"
              "\"b2a_plain_s\":%.4f,\"b2a_cells_per_s\":%.0f,\"b2a_tuned_s\":%.4f,\"b2a_tuned_cells_per_s\":%.0f,"
              "\"b2b_apply_s\":%.4f,\"b2b_cells_per_s\":%.0f,"
              "\"b1_push_s\":%.4f,\"b1_cells_per_s\":%.0f,\"b1_vs_b2a\":%.3f,\"b1_vs_b2a_tuned\":%.3f,\"b1_vs_b2a_paired\":%.3f,\"b1_bytes_sent\":%lld,"
              "\"b1_bytes_received\":%lld,\"agent_peak_rss_kib\":%ld,\"hub_peak_rss_kib\":%ld}\n",
              n, runs, f.row_changes, static_cast<long long>(cells), p, plain_rate, pt, tuned_rate, a, apply_rate, b1,
              push_rate, push_rate / plain_rate, push_rate / tuned_rate, paired_median, static_cast<long long>(f.bytes_sent),
              static_cast<long long>(f.bytes_received), f.agent_rss, f.hub_rss);
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 100000;
  int runs = argc > 2 ? std::atoi(argv[2]) : 3;
  test::TempDir dir;
  if (!make_certs(dir)) return 1;
  std::string centre = dir.file("centre.db");
  auto t0 = Clock::now();
  std::int64_t cells = build_centre(centre, n);
  std::fprintf(stderr, "built the centre store: %d trainees, %lld cells in %.1f s\n", n, static_cast<long long>(cells),
               secs(t0, Clock::now()));
  // BENCH_APPLY_ONLY=1: B2b alone, once, for a profiler (valgrind --tool=callgrind
  // --collect-atstart=no --toggle-collect='*hub_apply*').
  if (std::getenv("BENCH_APPLY_ONLY")) {
    std::vector<RowChange> changes = load_changes(centre);
    double a = hub_apply(changes, dir.file("apply.db"));
    std::printf("B2b %zu row changes, %lld cells in %.3f s: %.0f cells/s\n", changes.size(),
                static_cast<long long>(cells), a, static_cast<double>(cells) / a);
    return 0;
  }

  Figures f;
  for (int r = 0; r < runs; ++r) {
    f.plain.push_back(plain_insert(centre, dir.file("plain.db"), f.plain_cells, false));
    f.tuned.push_back(plain_insert(centre, dir.file("tuned.db"), f.plain_cells, true));
    {
      // The row changes for B2b are read per run and freed before B1 runs: the agent and hub are
      // forked from this process, and a fork's peak RSS would otherwise count these pages.
      std::vector<RowChange> changes = load_changes(centre);
      f.row_changes = changes.size();
      f.apply.push_back(hub_apply(changes, dir.file("apply.db")));
    }
    malloc_trim(0);
    if (!run_b1(dir, centre, r, f)) return 1;
  }
  report(f, n, runs, cells);
  return 0;
}
