// Export and backup files hold personal data: the real binary must create them (and whatever it
// writes on the way) for their owner only under the usual umask 022, never write through a link
// planted at the destination or beside it, and leave the store and the destination alone when it
// refuses.
#include <doctest/doctest.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "cli/cli_fixture.h"

using namespace epsync::test;
namespace fs = std::filesystem;

namespace {

// Sets the umask for one test and puts the old one back: the child inherits it.
struct Umask {
  mode_t old;
  explicit Umask(mode_t m) : old(::umask(m)) {}
  ~Umask() { ::umask(old); }
};

mode_t mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode;
}

bool is_link(const std::string& path) { return S_ISLNK(mode_of(path)); }

std::set<std::string> names_in(const std::string& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}

// Every name created in `dir` while `fn` runs (inotify), including files deleted again.
template <typename Fn>
std::set<std::string> created_during(const std::string& dir, Fn fn) {
  int in = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  REQUIRE(in >= 0);
  REQUIRE(::inotify_add_watch(in, dir.c_str(), IN_CREATE) >= 0);
  fn();
  std::set<std::string> names;
  alignas(inotify_event) char buf[8192];
  for (ssize_t n; (n = ::read(in, buf, sizeof buf)) > 0;)
    for (char* p = buf; p < buf + n;) {
      auto* ev = reinterpret_cast<inotify_event*>(p);
      if (ev->len > 0) names.insert(ev->name);
      p += sizeof(inotify_event) + ev->len;
    }
  ::close(in);
  return names;
}

void enrol(const Centre& c) {
  c.init();
  c.add(kAliyaIin, "Қасымова", "Әлия", "1995-01-01", "F");
}

}  // namespace

TEST_CASE("cli: export and backup files are readable by their owner only, under umask 022") {
  Umask u(022);
  Centre c;
  enrol(c);
  std::string out = c.dir.file("out");
  fs::create_directory(out);

  for (const char* format : {"csv", "json"}) {
    std::string f = out + "/trainees." + format;
    c.ok({"export", "--format", format, "--out", f});
    CAPTURE(f);
    CHECK((mode_of(f) & 0777) == 0600);
    CHECK(read_file_bytes(f).find(kAliyaIin) != std::string::npos);
  }

  // SQLite writes the copy itself: it must not create a journal, WAL or shm file beside it,
  // whose mode and name it would choose on its own.
  std::string backup = out + "/centre-backup.db";
  auto created = created_during(out, [&] { c.ok({"backup", backup}); });
  CHECK((mode_of(backup) & 0777) == 0600);
  for (const auto& name : created) {
    CAPTURE(name);
    CHECK((name == "centre-backup.db" || name.rfind("centre-backup.db.partial.", 0) == 0));
  }
  // One self-contained file in rollback mode (header bytes 18 and 19 are 1), holding the trainee.
  std::string bytes = read_file_bytes(backup);
  REQUIRE(bytes.size() > 100);
  CHECK(bytes.compare(0, 16, std::string("SQLite format 3\0", 16)) == 0);
  CHECK(bytes[18] == 1);
  CHECK(bytes[19] == 1);
  CHECK(names_in(out) == std::set<std::string>{"trainees.csv", "trainees.json", "centre-backup.db"});
  auto listed = c.run_other({"trainee", "list", "--json", "--db", backup});
  CHECK(listed.exit_code == 0);
  CHECK(listed.out.find(kAliyaIin) != std::string::npos);
}

TEST_CASE("cli: a link planted at F.partial or at F is never written through") {
  Umask u(022);
  Centre c;
  enrol(c);
  std::string victim = c.dir.file("victim.txt");
  write_file_bytes(victim, "someone else's file\n");

  for (std::string cmd : {"export", "backup"}) {
    CAPTURE(cmd);
    std::string f = c.dir.file(cmd + ".out");
    auto run = [&] {
      return cmd == "export" ? c.epsync({"export", "--out", f}) : c.epsync({"backup", f});
    };
    // A link at the old fixed temporary name: left alone, the victim unchanged.
    fs::create_symlink(victim, f + ".partial");
    auto r = run();
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(read_file_bytes(victim) == "someone else's file\n");
    CHECK(is_link(f + ".partial"));
    CHECK(S_ISREG(mode_of(f)));
    fs::remove(f + ".partial");
    fs::remove(f);

    // A link at F itself: rename replaces the link, the file it pointed to keeps its bytes.
    fs::create_symlink(victim, f);
    r = run();
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(read_file_bytes(victim) == "someone else's file\n");
    CHECK(S_ISREG(mode_of(f)));
    CHECK((mode_of(f) & 0777) == 0600);
    CHECK((mode_of(victim) & 0777) == 0644);
  }
}

TEST_CASE("cli: a refused export or backup names the path, leaves nothing at F and the store unchanged") {
  Centre c;
  enrol(c);
  std::string before = c.snapshot();
  std::string nowhere = c.dir.file("no-such-dir/out.csv");
  for (auto args : {std::vector<std::string>{"export", "--out", nowhere}, {"backup", nowhere}}) {
    CAPTURE(args[0]);
    auto r = c.epsync(args);
    CHECK(r.exit_code == 2);
    CHECK(r.err.rfind("epsync: " + nowhere + ": ", 0) == 0);
    CHECK_FALSE(fs::exists(nowhere));
  }
  // F is a directory: the copy is written, then cannot replace it; the temporary goes away.
  std::string dir = c.dir.file("a-directory");
  fs::create_directory(dir);
  for (auto args : {std::vector<std::string>{"export", "--out", dir}, {"backup", dir}}) {
    CAPTURE(args[0]);
    auto r = c.epsync(args);
    CHECK(r.exit_code != 0);
    CHECK(r.err.rfind("epsync: " + dir + ": ", 0) == 0);
    CHECK(fs::is_directory(dir));
    CHECK(fs::is_empty(dir));
  }
  for (const auto& name : names_in(c.dir.path())) {
    CAPTURE(name);
    CHECK((name == "a-directory" || name.rfind("centre.db", 0) == 0));  // no temporary left behind
  }
  CHECK(c.snapshot() == before);
}
