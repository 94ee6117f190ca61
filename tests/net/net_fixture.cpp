#include "net/net_fixture.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "storage/change_log.h"
#include "records/date.h"
#include "storage/dump.h"
#include "records/iin.h"
#include "records/model.h"

namespace epsync::test {

namespace {

const std::map<std::string, std::string> kEnv = {{"EPSYNC_OPERATOR", "net-test"}, {"TZ", "Asia/Almaty"}};

int decode_status(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

// The child's side of a fork: files in place, then exec. Never returns. Only async-signal-safe
// calls: the plan was made before the fork (support/run.h).
[[noreturn]] void exec_child(const ExecPlan& plan, const std::string& in_path, const std::string& out_path,
                             const std::string& err_path, bool append, pid_t parent) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // the test process dies, so does the child
  if (getppid() != parent) _exit(126);
  int flags = O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC);
  int in = open(in_path.c_str(), O_RDONLY);
  int out = open(out_path.c_str(), flags, 0600);
  int err = open(err_path.c_str(), flags, 0600);
  if (in < 0 || out < 0 || err < 0) _exit(125);
  dup2(in, 0);
  dup2(out, 1);
  dup2(err, 2);
  execvpe(plan.argv()[0], plan.argv(), plan.envp());
  _exit(127);
}

std::string tail(const std::string& s, std::size_t n = 3000) { return s.size() <= n ? s : "..." + s.substr(s.size() - n); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// Processes

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::string& out_path,
                           const std::string& err_path) {
  const ExecPlan plan(argv, kEnv);
  pid_t parent = getpid();
  pid_ = fork();
  if (pid_ == 0) exec_child(plan, "/dev/null", out_path, err_path, true, parent);
  REQUIRE_MESSAGE(pid_ > 0, "fork failed");
}

ChildProcess::~ChildProcess() {
  if (running()) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    exit_code_ = decode_status(status);
  }
}

bool ChildProcess::running() {
  if (exit_code_ || pid_ <= 0) return false;
  int status = 0;
  pid_t w = waitpid(pid_, &status, WNOHANG);
  if (w == pid_) {
    exit_code_ = decode_status(status);
    return false;
  }
  return true;
}

int ChildProcess::stop(std::chrono::milliseconds grace) {
  if (running()) {
    kill(pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + grace;
    while (running() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (running()) {
      kill(pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
      exit_code_ = decode_status(status);
    }
  }
  return exit_code_.value_or(-1);
}

RunResult run_with_stdin(const std::vector<std::string>& argv, const std::string& stdin_path, int timeout_seconds) {
  TempDir io;
  std::string out_path = io.file("out"), err_path = io.file("err");
  const ExecPlan plan(argv, kEnv);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) exec_child(plan, stdin_path, out_path, err_path, false, parent);
  REQUIRE_MESSAGE(pid > 0, "fork failed");
  return collect_child(pid, out_path, err_path, timeout_seconds);
}

LoopbackListener::LoopbackListener() {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd_ >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(listen(fd_, 8) == 0);
  REQUIRE(getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  port_ = ntohs(a.sin_port);
}

void LoopbackListener::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
            getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  close(fd);
  REQUIRE_MESSAGE(ok, "cannot bind a port on 127.0.0.1");
  return ntohs(a.sin_port);
}

std::int64_t scalar(const std::string& store_path, const std::string& sql) {
  auto s = Store::open(store_path, eps_store_options());
  REQUIRE_MESSAGE(s.ok(), s.status().message());
  auto st = s.value()->db().prepare(sql);
  REQUIRE_MESSAGE(st.ok(), st.status().message());
  auto r = st->step();
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  REQUIRE(r.value());
  return st->column_int(0);
}

// ---------------------------------------------------------------------------------------------
// The world

std::string wait_for_hub_log(ChildProcess& hub, const std::string& log_path, std::size_t from,
                             const std::string& needle) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::string said;
  while (std::chrono::steady_clock::now() < deadline) {
    said = read_file_bytes(log_path).substr(from);
    if (said.find(needle) != std::string::npos) break;
    if (!hub.running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return read_file_bytes(log_path).substr(from);
}

int stop_hub_process(std::unique_ptr<ChildProcess>& hub) {
  REQUIRE(hub);
  int code = hub->stop(std::chrono::seconds(10));
  hub.reset();
  return code;
}

void stop_failed_hub(std::unique_ptr<ChildProcess>& hub, const std::string& said) {
  hub->stop(std::chrono::seconds(2));
  hub.reset();
  // Someone took a port between free_port() and the hub's bind: another try may succeed.
  if (said.find("cannot listen") == std::string::npos) FAIL("the hub did not start listening: " << said);
}

NetWorld::NetWorld(Options o) : opt(o) {
  pki = dir.file("pki");
  ca_crt = pki + "/ca.crt";
  hub_db = dir.file("hub.db");
  hub_config = dir.file("hub.toml");
  hub_log = dir.file("hub.log");
  certs({"init-ca", "--dir", pki});
  certs({"hub", "--dir", pki, "--out", dir.file("hub"), "--dns", "localhost", "--ip", "127.0.0.1"});
}

NetWorld::~NetWorld() {
  if (hub_) hub_->stop(std::chrono::seconds(5));
  hub_.reset();
  // EPSYNC_NET_SHOW_LOG=1 prints the hub's log of every test (to see the reasons it gives).
  if (const char* e = std::getenv("EPSYNC_NET_SHOW_LOG"); e && *e == '1') MESSAGE("hub log:\n" << log());
}

void NetWorld::certs(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {EPSYNC_CERTS};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = run(argv, {}, 60);
  REQUIRE_MESSAGE(r.exit_code == 0, "epsync-certs " << args[0] << ": " << r.err);
}

std::string NetWorld::issue_centre_cert(const std::string& cn, const std::string& name,
                                        const std::vector<std::string>& extra, const std::string& ca_dir) {
  std::string prefix = dir.file(name);
  std::vector<std::string> args = {"center", "--dir", ca_dir.empty() ? pki : ca_dir, "--out", prefix, "--id", cn};
  args.insert(args.end(), extra.begin(), extra.end());
  certs(args);
  return prefix;
}

std::string NetWorld::other_ca() {
  std::string d = dir.file("pki-other");
  certs({"init-ca", "--dir", d, "--name", "someone else's CA"});
  return d;
}

void NetWorld::write_hub_config() {
  std::string t = "[listen]\naddress = \"" + hub_address() + "\"\n[tls]\nca = \"" + ca_crt + "\"\ncert = \"" +
                  dir.file("hub.crt") + "\"\nkey = \"" + dir.file("hub.key") + "\"\n";
  if (opt.crl) t += "crl = \"" + (opt.crl_file.empty() ? pki + "/ca.crl" : opt.crl_file) + "\"\n";
  t += "[store]\npath = \"" + hub_db + "\"\n[sync]\nidle_timeout_seconds = " + std::to_string(opt.idle_timeout_seconds) +
       "\nhandshake_timeout_seconds = " + std::to_string(opt.handshake_timeout_seconds) + "\n";
  // Many hubs may run at once in tests: the HTTP listener takes any free port, not 7080.
  t += "[http]\naddress = \"127.0.0.1:0\"\n" + opt.extra_toml;
  write_file_bytes(hub_config, t);
}

void NetWorld::start_hub() {
  REQUIRE_MESSAGE(!hub_running(), "the hub runs already");
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (attempt > 0 || port == 0) port = free_port();  // a restarted hub keeps its address if it can
    write_hub_config();
    std::size_t from = log_size();
    hub_ = std::make_unique<ChildProcess>(std::vector<std::string>{EPSYNC_BINARY, "hub", "--config", hub_config},
                                          dir.file("hub.out"), hub_log);
    std::string ready = "hub listening on " + hub_address();
    std::string said = wait_for_hub_log(*hub_, hub_log, from, ready);
    if (said.find(ready) != std::string::npos) {
      for (auto& [id, c] : centres) write_agent_config(c, c.config);  // the hub's address may be new
      return;
    }
    stop_failed_hub(hub_, said);
  }
  FAIL("the hub could not find a free port");
}

int NetWorld::stop_hub() { return stop_hub_process(hub_); }

bool NetWorld::hub_running() { return hub_ && hub_->running(); }

void NetWorld::signal_hub(int sig) {
  REQUIRE(hub_running());
  kill(hub_->pid(), sig);
}

std::string NetWorld::log() const { return read_file_bytes(hub_log); }

std::string NetWorld::wait_for_log(const std::string& needle, std::size_t from, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    std::string l = log();
    std::string part = from < l.size() ? l.substr(from) : std::string();
    if (part.find(needle) != std::string::npos || std::chrono::steady_clock::now() > deadline) return part;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

RunResult NetWorld::epsync(std::vector<std::string> args, int timeout_seconds) {
  args.insert(args.begin(), EPSYNC_BINARY);
  return run(args, kEnv, timeout_seconds);
}

RunResult NetWorld::hub_cmd(std::vector<std::string> args) {
  args.insert(args.begin(), "hub");
  args.push_back("--config");
  args.push_back(hub_config);
  if (!std::filesystem::exists(hub_config)) write_hub_config();
  return epsync(args);
}

Centre& NetWorld::add_centre(const std::string& id, const std::string& region, bool register_at_hub) {
  Centre c;
  c.id = id;
  c.region = region;
  std::string prefix = issue_centre_cert(id, id);
  c.cert = prefix + ".crt";
  c.key = prefix + ".key";
  c.db = dir.file(id + ".db");
  c.config = dir.file(id + ".toml");
  write_agent_config(c, c.config);
  if (register_at_hub) {
    auto r = hub_cmd({"center", "add", id, "--region", region, "--name", "Центр " + id});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  }
  auto r = epsync({"init", "--center", id, "--region", region, "--config", c.config});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return centres[id] = c;
}

std::string NetWorld::write_agent_config(const Centre& c, const std::string& file, std::optional<std::string> address,
                                         std::optional<std::string> cert_prefix, std::optional<std::string> center_id,
                                         bool with_cert) {
  std::string cert = cert_prefix ? *cert_prefix + ".crt" : c.cert;
  std::string key = cert_prefix ? *cert_prefix + ".key" : c.key;
  std::string t = "[center]\nid = \"" + center_id.value_or(c.id) + "\"\n[store]\npath = \"" + c.db + "\"\n[hub]\naddress = \"" +
                  address.value_or(hub_address()) + "\"\nca = \"" + ca_crt + "\"\n";
  if (with_cert) t += "cert = \"" + cert + "\"\nkey = \"" + key + "\"\n";
  write_file_bytes(file, t);
  return file;
}

std::string NetWorld::enrol(const std::string& centre, const std::string& surname) {
  Centre& c = centres.at(centre);
  int serial = next_serial_++;
  char sex = serial % 2 ? 'F' : 'M';
  Date birth = add_days(Date{1992, 3, 1}, (serial * 97) % 3000);
  auto r = epsync({"trainee", "add", "--iin", make_iin(birth, sex, serial), "--surname", surname, "--given-name",
                   sex == 'F' ? "Әлия" : "Ерғали", "--birth-date", format_date(birth), "--sex", std::string(1, sex),
                   "--config", c.config, "--json"});
  REQUIRE_MESSAGE(r.exit_code == 0, centre << ": trainee add: " << r.err);
  ++c.enrolled;
  return nlohmann::json::parse(r.out).at("id").get<std::string>();
}

RunResult NetWorld::sync(const std::string& centre, const std::string& config) {
  return epsync({"sync", "--config", config.empty() ? centres.at(centre).config : config}, 60);
}

void NetWorld::must_sync(const std::string& centre) {
  auto r = sync(centre);
  REQUIRE_MESSAGE(r.exit_code == 0, centre << ": epsync sync: " << r.err << "\nhub log:\n" << tail(log()));
}

std::unique_ptr<Store> NetWorld::open_store(const std::string& path) {
  auto s = Store::open(path, eps_store_options());
  REQUIRE_MESSAGE(s.ok(), s.status().message());
  return std::move(s).value();
}

std::unique_ptr<hub::HubStore> NetWorld::open_hub_store() {
  hub::HubOptions o;
  o.create = false;
  o.operator_name = "analyst";
  auto h = hub::HubStore::open(hub_db, o);
  REQUIRE_MESSAGE(h.ok(), h.status().message());
  return std::move(h).value();
}

std::string NetWorld::hub_view(const std::string& centre) {
  auto d = canonical_dump(*open_store(hub_db), centre);
  REQUIRE(d.ok());
  return d.value();
}

std::string NetWorld::centre_view(const std::string& centre) {
  auto d = canonical_dump(*open_store(centres.at(centre).db), centre);
  REQUIRE(d.ok());
  return d.value();
}

HubState NetWorld::hub_state() {
  auto s = open_store(hub_db);
  HubState h;
  h.dump = canonical_dump(*s).value();
  auto count = [&](const std::string& sql) {
    auto st = s->db().prepare(sql);
    REQUIRE(st.ok());
    REQUIRE(st->step().value());
    return st->column_int(0);
  };
  h.change_log = count("SELECT count(*) FROM change_log");
  h.quarantine = count("SELECT count(*) FROM quarantine");
  auto st = s->db().prepare("SELECT site, hwm FROM site_hwm ORDER BY site");
  REQUIRE(st.ok());
  while (st->step().value()) h.hwm += st->column_text(0) + "=" + std::to_string(st->column_int(1)) + ";";
  return h;
}

void NetWorld::check_all_changes_at_hub_once(const std::string& centre) {
  CAPTURE(centre);
  auto c = open_store(centres.at(centre).db);
  ChangeQuery own;
  own.site = c->site_id();
  own.limit = 1'000'000;
  auto mine = read_changes(*c, own);
  REQUIRE(mine.ok());
  auto made = static_cast<std::int64_t>(mine->size());
  REQUIRE(made > 0);
  CHECK(mine->back().site_seq == made);  // the centre's sequence is 1..made
  auto h = open_store(hub_db);
  auto st = h->db().prepare(
      "SELECT count(*), count(DISTINCT c.site_seq), coalesce(min(c.site_seq), 0), coalesce(max(c.site_seq), 0) "
      "FROM change_log c JOIN site s ON s.id = c.site WHERE s.uuid = ?");
  REQUIRE(st.ok());
  st->bind(1, c->site_id());
  REQUIRE(st->step().value());
  CHECK(st->column_int(0) == made);  // as many records as the centre made...
  CHECK(st->column_int(1) == made);  // ...none twice...
  CHECK(st->column_int(2) == 1);     // ...and exactly 1..made
  CHECK(st->column_int(3) == made);
  // The same change, not just the same number: identical content at both ends.
  ChangeQuery at_hub = own;
  auto theirs = read_changes(*h, at_hub);
  REQUIRE(theirs.ok());
  REQUIRE(theirs->size() == mine->size());
  std::map<std::int64_t, const RowChange*> by_seq;
  for (const auto& ch : theirs.value()) by_seq[ch.site_seq] = &ch;
  for (const auto& ch : mine.value()) {
    auto it = by_seq.find(ch.site_seq);
    REQUIRE(it != by_seq.end());
    CHECK(*it->second == ch);
  }
}

}  // namespace epsync::test
