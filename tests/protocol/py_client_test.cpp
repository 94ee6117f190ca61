// docs/PROTOCOL.md is enough to write a client: tests/protocol/py_client.py, written from it alone
// in Python (Debian's python3-msgpack and the ssl module), syncs with the real hub daemon over
// mutual TLS on 127.0.0.1, and the hub then holds what it pushed. The same client checks that the
// hub refuses what the document says it refuses.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "net/net_fixture.h"

using namespace epsync;
using namespace epsync::test;

namespace {

// Debian's interpreter, which has python3-msgpack (a python3 earlier on PATH may not).
constexpr const char* kPython = "/usr/bin/python3";

std::string quoted(const std::string& s) { return "'" + s + "'"; }

}  // namespace

TEST_CASE("protocol: a Python client written from PROTOCOL.md syncs with the hub") {
  NetWorld w;
  Centre& alm = w.add_centre("ALM-014", "almaty");
  w.start_hub();
  // A trainee the epsync agent of the same centre brought to the hub: the client's pull must
  // bring it, in the value formats the document gives.
  const std::string enrolled = w.enrol("ALM-014", "Жанова");
  w.must_sync("ALM-014");

  RunResult r = run({kPython, EPSYNC_PY_CLIENT, "--address", w.hub_address(), "--ca", w.ca_crt, "--cert", alm.cert,
                     "--key", alm.key, "--center", alm.id, "--expect-trainee", enrolled},
                    {}, 45);
  INFO("client stderr: " << r.err);
  INFO("hub log: " << w.log());
  REQUIRE_MESSAGE(r.exit_code == 0, "client said: " << r.out);
  auto report = nlohmann::json::parse(r.out);
  const std::string trainee = report.at("trainee").get<std::string>();
  const std::string site = report.at("site").get<std::string>();
  CHECK(report.at("acks").size() == 2);
  for (const auto& [what, code] : report.at("refusals").items()) {
    CAPTURE(what);
    CHECK(code == "bad-message");
  }

  // The hub holds the trainee and the result, owned by the centre, counted as the client's site's.
  CHECK(scalar(w.hub_db, "SELECT count(*) FROM trainee WHERE id = " + quoted(trainee) +
                             " AND center_id = 'ALM-014' AND sex = 'F' AND birth_date = '1999-04-12' AND deleted = 0") == 1);
  CHECK(scalar(w.hub_db, "SELECT count(*) FROM test_result WHERE trainee_id = " + quoted(trainee) +
                             " AND kind = 'eps-topik' AND score = 150") == 1);
  CHECK(scalar(w.hub_db, "SELECT hwm FROM site_hwm WHERE site = " + quoted(site)) == 2);
  CHECK(scalar(w.hub_db, "SELECT count(*) FROM quarantine") == 0);

  // And an agent of the same centre, set up from scratch, gets the trainee through the hub.
  w.must_sync("ALM-014");
  CHECK(scalar(alm.db, "SELECT count(*) FROM trainee WHERE id = " + quoted(trainee)) == 1);
  CHECK(w.stop_hub() == 0);
}
