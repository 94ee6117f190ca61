// Text that reached a store from elsewhere (an operator's name, values, names synced from a
// centre) is printed by the real binary with its control characters escaped: a reviewer's
// terminal cannot be recoloured or cleared, and no forged line appears in the output.
#include <doctest/doctest.h>

#include <sstream>

#include "cli/cli_fixture.h"
#include "storage/merge.h"
#include "support/stores.h"
#include "records/model.h"

using namespace epsync;
using namespace epsync::test;

namespace {

// An operator name as a compromised or careless centre could send it.
const std::string kEvilOperator = "\x1b[31mred\n<0>forged";

Status write(Store& s, const std::function<Status(WriteTxn&)>& fn) {
  WriteTxn w(s);
  EPSYNC_RETURN_IF_ERROR(w.begin());
  EPSYNC_RETURN_IF_ERROR(fn(w));
  return w.commit();
}

std::vector<RowChange> changes_of(Store& s) {
  ChangeQuery q;
  q.limit = 100000;
  return read_changes(s, q).value();
}

RunResult epsync_cli(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {EPSYNC_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, {{"EPSYNC_OPERATOR", "reviewer-test"}, {"TZ", "Asia/Almaty"}});
}

// No raw ESC or C1 CSI anywhere, and no line that starts with a forged "<0>".
void check_clean(const std::string& out) {
  CHECK(out.find('\x1b') == std::string::npos);
  CHECK(out.find("\xc2\x9b") == std::string::npos);
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    CAPTURE(line);
    CHECK(line.rfind("<0>", 0) != 0);
  }
}

}  // namespace

TEST_CASE("cli: hub conflicts list prints a stored operator and values escaped") {
  TempDir dir;
  FakeClock clock;
  clock.set(std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch()).count());
  std::string hub_db = dir.file("hub.db");
  {
    auto centre = make_store(dir.file("centre.db"), clock, kEvilOperator);
    auto hub = make_store(hub_db, clock, "analyst");
    REQUIRE(write(*centre, [](WriteTxn& w) {
      return w.insert("medical_check", "m1", "ALM-014",
                      {{"trainee_id", std::string("t1")}, {"result", std::string("pending")}});
    }).ok());
    REQUIRE(merge_batch(*hub, changes_of(*centre)).ok());
    // Both change the result without seeing each other; the hub's later write wins.
    clock.advance(1000);
    REQUIRE(write(*centre, [](WriteTxn& w) {
      return w.update("medical_check", "m1", {{"result", std::string("fit\xc2\x9b" "2J")}});
    }).ok());
    clock.advance(1000);
    REQUIRE(write(*hub, [](WriteTxn& w) { return w.update("medical_check", "m1", {{"result", std::string("unfit")}}); }).ok());
    auto merged = merge_batch(*hub, changes_of(*centre));
    REQUIRE(merged.ok());
    REQUIRE(merged->conflicts == 1);
  }
  auto r = epsync_cli({"hub", "conflicts", "list", "--db", hub_db});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CAPTURE(r.out);
  CHECK(r.out.find("lost fit\\u009b2J") != std::string::npos);
  CHECK(r.out.find("by \\x1b[31mred\\n<0>forged)") != std::string::npos);
  check_clean(r.out);

  // JSON is escaped by the JSON writer: the exact operator comes back after parsing.
  auto j = epsync_cli({"hub", "conflicts", "list", "--db", hub_db, "--json"});
  REQUIRE_MESSAGE(j.exit_code == 0, j.err);
  CHECK(j.out.find('\x1b') == std::string::npos);
  CHECK(nlohmann::json::parse(j.out)[0]["lost_by"] == kEvilOperator);
}

TEST_CASE("cli: trainee list and history print names and operators synced from elsewhere escaped") {
  Centre c;
  c.init();
  {
    // A row as a sync would deliver it: written without the CLI's validation.
    StoreOptions o = eps_store_options();
    o.operator_name = kEvilOperator;
    auto s = Store::open(c.db, o);
    REQUIRE(s.ok());
    REQUIRE(write(*s.value(), [](WriteTxn& w) {
      return w.insert("trainee", "0123456789abcdef0123456789abcdef", "ALM-014",
                      {{"iin", std::string(kAliyaIin)}, {"surname", std::string("Ахметова\x1b[2J")},
                       {"given_name", std::string("Әлия\n<0>x")}, {"birth_date", std::string("1995-01-01")},
                       {"sex", std::string("F")}, {"status", std::string("active")}});
    }).ok());
  }
  std::string list = c.ok({"trainee", "list"});
  CHECK(list.find("Ахметова\\x1b[2J Әлия\\n<0>x") != std::string::npos);
  check_clean(list);
  std::string shown = c.ok({"trainee", "show", kAliyaIin});
  CHECK(shown.find("Ахметова\\x1b[2J") != std::string::npos);
  check_clean(shown);
  std::string history = c.ok({"history", kAliyaIin});
  CHECK(history.find("\\x1b[31mred\\n<0>forged  surname: (empty) -> Ахметова\\x1b[2J") != std::string::npos);
  check_clean(history);
  check_clean(c.ok({"readiness"}));
}
