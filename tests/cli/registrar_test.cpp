// Registrars without root (issue #16): the real binary run as throwaway Unix accounts. A member of
// the store's group works in a shared (setgid) directory, the files it makes stay the group's, and
// `history` names that account; someone outside the group gets a clear "permission denied", exit
// 1, no abort, and the store is left as it was. Needs root to make the accounts; skipped otherwise.
#include <doctest/doctest.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "cli/cli_fixture.h"

using namespace epsync::test;
namespace fs = std::filesystem;

namespace {

// The full path of a system tool (run() executes a path, it does not search PATH).
std::string tool(const std::string& name) {
  for (const char* dir : {"/usr/sbin/", "/usr/bin/", "/sbin/", "/bin/"})
    if (::access((dir + name).c_str(), X_OK) == 0) return dir + name;
  return name;
}

bool quiet_ok(std::vector<std::string> argv) {
  argv[0] = tool(argv[0]);
  return run(argv, {}, 30).exit_code == 0;
}

// A group "epst<random>" with one member, and one account outside it; both removed at the end of
// the test whatever happened in it.
struct Accounts {
  std::string suffix = std::to_string(std::random_device{}() % 1000000);
  std::string group = "epst" + suffix;
  std::string member = "epsm" + suffix;
  std::string outsider = "epso" + suffix;
  bool made = false;

  Accounts() {
    made = quiet_ok({"groupadd", group}) &&
           quiet_ok({"useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", "-G", group, member}) &&
           quiet_ok({"useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", outsider});
  }
  ~Accounts() {
    quiet_ok({"userdel", member});
    quiet_ok({"userdel", outsider});
    quiet_ok({"groupdel", group});
  }
  gid_t gid() const {
    struct group* g = getgrnam(group.c_str());
    return g ? g->gr_gid : static_cast<gid_t>(-1);
  }
};

// A centre store in a directory shared like /var/lib/epsync: 2770, owner root, the test group.
// The binary is copied beside it so that the accounts can run it wherever the build lives.
struct SharedCentre {
  TempDir dir;
  std::string binary = dir.file("epsync");
  std::string state = dir.file("state");
  std::string db = state + "/centre.db";

  explicit SharedCentre(const Accounts& a) {
    REQUIRE(::chmod(dir.path().c_str(), 0711) == 0);
    fs::copy_file(EPSYNC_BINARY, binary);
    REQUIRE(::chmod(binary.c_str(), 0755) == 0);
    fs::create_directory(state);
    REQUIRE(::chown(state.c_str(), 0, a.gid()) == 0);
    REQUIRE(::chmod(state.c_str(), 02770) == 0);
  }
  // `epsync ARGS --db DB` as `user` (its own groups), with no EPSYNC_OPERATOR to stand in for it.
  RunResult as(const std::string& user, std::vector<std::string> args, const std::string& store = "") const {
    std::vector<std::string> argv = {tool("setpriv"), "--reuid=" + user, "--regid=" + user, "--init-groups",
                                     tool("env"), "-u", "EPSYNC_OPERATOR", "TZ=Asia/Almaty", binary};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--db");
    argv.push_back(store.empty() ? db : store);
    return run(argv, {}, 60);
  }
  std::string snapshot() const { return read_file_bytes(db) + "|wal|" + read_file_bytes(db + "-wal"); }
};

struct stat stat_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st;
}

std::vector<std::string> enrol(const char* iin, const char* surname) {
  return {"trainee", "add", "--iin", iin, "--surname", surname, "--given-name", "Aliya", "--birth-date", "1995-01-01",
          "--sex", "F"};
}

// A refusal for lack of permission: exit 1 (not an abort's 134), the message and its hint.
void check_refused(const RunResult& r, const std::string& user) {
  CHECK_MESSAGE(r.exit_code == 1, r.err);
  CHECK(r.err.rfind("epsync: ", 0) == 0);
  CHECK(r.err.find(": permission denied (is " + user + " in group epsync? see man epsync)") != std::string::npos);
  CHECK(r.err.find("terminate") == std::string::npos);
}

}  // namespace

TEST_CASE("registrars: a member of the store's group works without root, and history names them") {
  if (geteuid() != 0) {
    MESSAGE("skipped: needs root to create throwaway accounts (useradd) and run epsync as them (setpriv)");
    return;
  }
  Accounts a;
  REQUIRE_MESSAGE(a.made, "useradd/groupadd failed");
  SharedCentre c(a);
  REQUIRE(c.as("root", {"init", "--center", "ALM-014", "--region", "almaty"}).exit_code == 0);
  // Made by root, yet the group's: 0660 and the directory's group (the setgid bit).
  CHECK((stat_of(c.db).st_mode & 07777) == 0660);
  CHECK(stat_of(c.db).st_gid == a.gid());

  auto added = c.as(a.member, enrol(kAliyaIin, "Test"));
  REQUIRE_MESSAGE(added.exit_code == 0, added.err);
  auto hist = c.as(a.member, {"history", kAliyaIin, "--json"});
  REQUIRE_MESSAGE(hist.exit_code == 0, hist.err);
  auto entries = nlohmann::json::parse(hist.out);
  REQUIRE(!entries.empty());
  for (const auto& e : entries) CHECK(e["operator"] == a.member);

  // What SQLite made beside the store for the member, and a backup it writes there: the group's.
  for (const char* suffix : {"-wal", "-shm"}) {
    if (!fs::exists(c.db + suffix)) continue;
    CHECK((stat_of(c.db + suffix).st_mode & 0777) == 0660);
    CHECK(stat_of(c.db + suffix).st_gid == a.gid());
  }
  std::string backup = c.state + "/backup.db";
  auto b = c.as(a.member, {"backup", backup});
  REQUIRE_MESSAGE(b.exit_code == 0, b.err);
  CHECK((stat_of(backup).st_mode & 0777) == 0660);
  CHECK(stat_of(backup).st_gid == a.gid());
  // Root, the daemon's stand-in here, still reads what the member wrote.
  CHECK(c.as("root", {"trainee", "list", "--json"}).exit_code == 0);
}

TEST_CASE("registrars: someone outside the group is refused clearly, exit 1, and the store is unchanged") {
  if (geteuid() != 0) {
    MESSAGE("skipped: needs root to create throwaway accounts (useradd) and run epsync as them (setpriv)");
    return;
  }
  Accounts a;
  REQUIRE_MESSAGE(a.made, "useradd/groupadd failed");
  SharedCentre c(a);
  REQUIRE(c.as("root", {"init", "--center", "ALM-014", "--region", "almaty"}).exit_code == 0);
  REQUIRE(c.as(a.member, enrol(kAliyaIin, "Test")).exit_code == 0);
  const std::string before = c.snapshot();

  SUBCASE("the directory is closed to them") {
    check_refused(c.as(a.outsider, enrol(kSergeyIin, "Other")), a.outsider);
    check_refused(c.as(a.outsider, {"trainee", "list"}), a.outsider);
    check_refused(c.as(a.outsider, {"status"}), a.outsider);
  }
  SUBCASE("the store file is closed to them") {
    // An open directory, and a store only root and the group may use.
    std::string open_db = c.dir.file("open.db");
    REQUIRE(c.as("root", {"init", "--center", "ALM-014", "--region", "almaty"}, open_db).exit_code == 0);
    REQUIRE(::chmod(open_db.c_str(), 0600) == 0);
    const std::string open_before = read_file_bytes(open_db);
    check_refused(c.as(a.outsider, enrol(kSergeyIin, "Other"), open_db), a.outsider);
    CHECK(read_file_bytes(open_db) == open_before);
  }
  SUBCASE("a store they may read but not write is refused before anything is written") {
    REQUIRE(::chmod(c.state.c_str(), 02775) == 0);
    REQUIRE(::chmod(c.db.c_str(), 0644) == 0);
    check_refused(c.as(a.outsider, enrol(kSergeyIin, "Other")), a.outsider);
  }
  CHECK(c.snapshot() == before);
  auto list = c.as("root", {"trainee", "list", "--json"});
  REQUIRE(list.exit_code == 0);
  CHECK(nlohmann::json::parse(list.out).size() == 1);
}
