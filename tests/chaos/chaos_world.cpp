#include "chaos/chaos_world.h"

#include <signal.h>

#include <filesystem>
#include <thread>

#include "storage/dump.h"
#include "records/model.h"

namespace epsync::test {

namespace {

using Clock = std::chrono::steady_clock;

void certs(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {EPSYNC_CERTS};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = run(argv, {}, 60);
  REQUIRE_MESSAGE(r.exit_code == 0, "epsync-certs " << args[0] << ": " << r.err);
}

std::string tail(const std::string& s, std::size_t n = 4000) { return s.size() <= n ? s : "..." + s.substr(s.size() - n); }

}  // namespace

std::string describe(const RunResult& r) { return "exit " + std::to_string(r.exit_code) + ": " + tail(r.err, 600); }

const std::vector<CentreSpec>& chaos_centre_specs() {
  static const std::vector<CentreSpec> specs = {
      {"ALM-014", "almaty"},    {"AST-001", "astana"},   {"SHY-007", "shymkent"}, {"PAV-005", "pavlodar"},
      {"KRG-003", "karaganda"}, {"AKT-002", "aktobe"},   {"ATR-004", "atyrau"},   {"KST-006", "kostanay"},
  };
  return specs;
}

const CentreSpec& chaos_rogue_spec() {
  static const CentreSpec spec = {"KZO-013", "kyzylorda"};
  return spec;
}

Pki::Pki(std::size_t centres) {
  REQUIRE(centres <= chaos_centre_specs().size());
  ca = dir.file("pki/ca.crt");
  certs({"init-ca", "--dir", dir.file("pki")});
  certs({"hub", "--dir", dir.file("pki"), "--out", prefix("hub"), "--dns", "localhost", "--ip", "127.0.0.1"});
  for (std::size_t i = 0; i < centres; ++i) {
    const auto& id = chaos_centre_specs()[i].id;
    certs({"center", "--dir", dir.file("pki"), "--out", prefix(id), "--id", id});
  }
  const auto& rogue = chaos_rogue_spec().id;
  certs({"center", "--dir", dir.file("pki"), "--out", prefix(rogue), "--id", rogue});
}

ChaosWorld::ChaosWorld(const Pki& pki, std::size_t n, std::uint64_t seed, ChaosTiming timing, ChaosProxyOptions popt)
    : pki_(pki), timing_(timing) {
  hub_db = dir.file("hub.db");
  hub_config = dir.file("hub.toml");
  hub_log = dir.file("hub.log");
  hub_port = free_port();
  start_hub();
  auto added = hub_cmd({"center", "add", rogue.id, "--region", rogue.region, "--name", "Орталық " + rogue.id});
  REQUIRE_MESSAGE(added.exit_code == 0, "hub center add: " << describe(added));
  popt.agent_timeout = std::chrono::seconds(timing.agent_timeout_s);
  for (std::size_t i = 0; i < n; ++i) {
    ChaosCentre c;
    c.id = chaos_centre_specs()[i].id;
    c.region = chaos_centre_specs()[i].region;
    c.db = dir.file(c.id + ".db");
    c.config = dir.file(c.id + ".toml");
    c.log = dir.file(c.id + ".log");
    c.proxy = std::make_unique<ChaosProxy>(hub_port, seed * 1000 + i, popt);
    REQUIRE_MESSAGE(c.proxy->error().empty(), c.proxy->error());
    std::string p = pki.prefix(c.id);
    write_file_bytes(c.config, "[center]\nid = \"" + c.id + "\"\n[store]\npath = \"" + c.db +
                                   "\"\n[hub]\naddress = \"127.0.0.1:" + std::to_string(c.proxy->port()) +
                                   "\"\nca = \"" + pki.ca + "\"\ncert = \"" + p + ".crt\"\nkey = \"" + p +
                                   ".key\"\n[sync]\ninterval_seconds = " + std::to_string(timing.agent_interval_s) +
                                   "\ntimeout_seconds = " + std::to_string(timing.agent_timeout_s) + "\n");
    auto r = hub_cmd({"center", "add", c.id, "--region", c.region, "--name", "Орталық " + c.id});
    REQUIRE_MESSAGE(r.exit_code == 0, "hub center add: " << describe(r));
    r = epsync({"init", "--center", c.id, "--region", c.region, "--config", c.config});
    REQUIRE_MESSAGE(r.exit_code == 0, "init: " << describe(r));
    c.site = open(c.db)->site_id();
    centres.push_back(std::move(c));
  }
}

ChaosWorld::~ChaosWorld() {
  for (auto& c : centres) c.agent.reset();  // SIGKILL if still running, reaped
  hub_.reset();
  for (auto& c : centres) c.proxy.reset();  // stops and joins the proxy thread
}

void ChaosWorld::write_hub_config() {
  std::string t = "[listen]\naddress = \"127.0.0.1:" + std::to_string(hub_port) + "\"\n[tls]\nca = \"" + pki_.ca +
                  "\"\ncert = \"" + pki_.prefix("hub") + ".crt\"\nkey = \"" + pki_.prefix("hub") + ".key\"\n[store]\npath = \"" +
                  hub_db + "\"\n[sync]\nhandshake_timeout_seconds = " + std::to_string(timing_.hub_timeout_s) +
                  "\nidle_timeout_seconds = " + std::to_string(timing_.hub_timeout_s) +
                  "\n[http]\naddress = \"127.0.0.1:0\"\n";  // many hubs may run at once: any free port
  write_file_bytes(hub_config, t);
}

void ChaosWorld::start_hub() {
  REQUIRE_MESSAGE(!hub_up(), "the hub runs already");
  for (int attempt = 0; attempt < 12; ++attempt) {
    if (attempt >= 8) {  // the old port stays taken: take another, and the proxies follow
      hub_port = free_port();
      for (auto& c : centres) c.proxy->set_upstream(hub_port);
    }
    write_hub_config();
    std::size_t from = read_file_bytes(hub_log).size();
    hub_ = std::make_unique<ChildProcess>(std::vector<std::string>{EPSYNC_BINARY, "hub", "--config", hub_config},
                                          dir.file("hub.out"), hub_log);
    std::string ready = "hub listening on 127.0.0.1:" + std::to_string(hub_port);
    auto deadline = Clock::now() + std::chrono::seconds(10);
    while (Clock::now() < deadline) {
      std::string l = read_file_bytes(hub_log);
      if (l.find(ready, from) != std::string::npos) {
        if (auto t = Clock::now() - (deadline - std::chrono::seconds(10)); t > std::chrono::seconds(1))
          slow.push_back("the hub took " + std::to_string(std::chrono::duration<double>(t).count()) + " s to listen");
        return;
      }
      if (!hub_->running()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::string said = read_file_bytes(hub_log).substr(from);
    hub_->stop(std::chrono::seconds(2));
    hub_.reset();
    if (said.find("cannot listen") == std::string::npos) FAIL("the hub did not start listening: " << tail(said));
    std::this_thread::sleep_for(std::chrono::milliseconds(50 * (attempt + 1)));
  }
  FAIL("the hub could not listen on any port");
}

void ChaosWorld::kill_hub() {
  if (!hub_) return;
  ::kill(hub_->pid(), SIGKILL);
  hub_.reset();  // reaps it
}

int ChaosWorld::stop_hub() {
  if (!hub_) return -1;
  int code = hub_->stop(std::chrono::seconds(10));
  hub_.reset();
  return code;
}

bool ChaosWorld::hub_up() { return hub_ && hub_->running(); }

void ChaosWorld::start_agent(std::size_t i) {
  auto& c = centres.at(i);
  REQUIRE_MESSAGE(!agent_up(i), c.id << ": the agent runs already");
  c.log_from = read_file_bytes(c.log).size();
  c.agent = std::make_unique<ChildProcess>(std::vector<std::string>{EPSYNC_BINARY, "agent", "--config", c.config},
                                           dir.file(c.id + ".out"), c.log);
}

bool ChaosWorld::agent_ready(std::size_t i) {
  auto& c = centres.at(i);
  return read_file_bytes(c.log).find("agent for " + c.id + " started", c.log_from) != std::string::npos;
}

void ChaosWorld::kill_agent(std::size_t i) {
  auto& c = centres.at(i);
  if (!c.agent) return;
  ::kill(c.agent->pid(), SIGKILL);
  c.agent.reset();
}

int ChaosWorld::stop_agent(std::size_t i) {
  auto& c = centres.at(i);
  if (!c.agent) return -1;
  auto t0 = Clock::now();
  auto ready_by = Clock::now() + std::chrono::seconds(10);
  while (c.agent->running() && !agent_ready(i) && Clock::now() < ready_by)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  auto t1 = Clock::now();
  ::kill(c.agent->pid(), SIGTERM);
  auto deadline = Clock::now() + std::chrono::seconds(8);
  while (c.agent->running() && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  if (c.agent->running()) {  // hung: keep its threads' stacks for the failure message
    auto r = run({"/usr/bin/gdb", "-p", std::to_string(c.agent->pid()), "-batch", "-ex", "thread apply all bt"}, {}, 30);
    hung += "--- " + c.id + " did not stop on SIGTERM; its threads:\n" + r.out + "\n--- its log:\n" +
            tail(read_file_bytes(c.log), 3000) + "\n";
  }
  int code = c.agent->stop(std::chrono::milliseconds(0));
  c.agent.reset();
  if (auto t = Clock::now() - t0; t > std::chrono::seconds(1))
    slow.push_back(c.id + ": stopping the agent took " + std::to_string(std::chrono::duration<double>(t).count()) +
                   " s, of which waiting for it to start " + std::to_string(std::chrono::duration<double>(t1 - t0).count()) +
                   " s\n" + tail(read_file_bytes(c.log), 1500));
  return code;
}

bool ChaosWorld::agent_up(std::size_t i) { return centres.at(i).agent && centres.at(i).agent->running(); }

void ChaosWorld::poke_agent(std::size_t i) {
  if (agent_up(i) && agent_ready(i)) ::kill(centres.at(i).agent->pid(), SIGHUP);
}

RunResult ChaosWorld::epsync(std::vector<std::string> args) {
  args.insert(args.begin(), EPSYNC_BINARY);
  return run_with_stdin(args, "/dev/null", 60);
}

RunResult ChaosWorld::centre_cmd(std::size_t i, std::vector<std::string> args) {
  args.push_back("--config");
  args.push_back(centres.at(i).config);
  return epsync(std::move(args));
}

RunResult ChaosWorld::hub_cmd(std::vector<std::string> args) {
  args.insert(args.begin(), "hub");
  args.push_back("--config");
  args.push_back(hub_config);
  return epsync(std::move(args));
}

std::unique_ptr<Store> ChaosWorld::open(const std::string& path) {
  StoreOptions o = eps_store_options();
  o.operator_name = "chaos";
  auto s = Store::open(path, o);
  REQUIRE_MESSAGE(s.ok(), path << ": " << s.status().message());
  return std::move(s).value();
}

std::string ChaosWorld::dump(const std::string& path, const std::optional<std::string>& centre) {
  auto d = canonical_dump(*open(path), centre);
  REQUIRE_MESSAGE(d.ok(), d.status().message());
  return d.value();
}

std::vector<std::vector<std::string>> text_rows(Db& db, const std::string& sql, const std::vector<std::string>& params) {
  auto st = db.prepare(sql);
  REQUIRE_MESSAGE(st.ok(), st.status().message());
  for (std::size_t i = 0; i < params.size(); ++i) st->bind(static_cast<int>(i + 1), params[i]);
  std::vector<std::vector<std::string>> out;
  while (st->step().value()) {
    std::vector<std::string> row;
    for (int c = 0; c < st->column_count(); ++c) row.push_back(st->column_text(c));
    out.push_back(std::move(row));
  }
  return out;
}

std::optional<Value> ChaosWorld::cell(const std::string& path, const std::string& table, const std::string& row,
                                      const std::string& column) {
  auto s = open(path);
  auto st = s->db().prepare("SELECT " + column + " FROM " + table + " WHERE id = ?");
  REQUIRE_MESSAGE(st.ok(), st.status().message());
  st->bind(1, row);
  auto r = st->step();
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  if (!r.value()) return std::nullopt;
  return st->column_value(0);
}

std::int64_t ChaosWorld::last_seq(const std::string& path, const std::string& site) {
  auto s = open(path);
  auto st = s->db().prepare(
      "SELECT coalesce(max(c.site_seq), 0) FROM change_log c JOIN site s ON s.id = c.site WHERE s.uuid = ?");
  REQUIRE_MESSAGE(st.ok(), st.status().message());
  st->bind(1, site);
  REQUIRE(st->step().value());
  return st->column_int(0);
}

std::string ChaosWorld::logs() {
  std::string all = "--- hub:\n" + tail(read_file_bytes(hub_log));
  for (auto& c : centres) all += "\n--- agent " + c.id + ":\n" + tail(read_file_bytes(c.log), 2000);
  return all;
}

}  // namespace epsync::test
