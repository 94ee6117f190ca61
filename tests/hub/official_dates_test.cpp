// Official results as the ministry's spreadsheet writes them: test_date as DD.MM.YYYY or ISO, stored
// as ISO; a date in neither form refuses the whole file, naming the line, the field and both forms.
#include <doctest/doctest.h>

#include "hub/official_results.h"
#include "records/iin.h"
#include "records/model.h"
#include "support/temp_dir.h"

using namespace epsync;

namespace {

const Date kToday{2026, 12, 6};

struct Hub {
  test::TempDir dir;
  std::unique_ptr<hub::HubStore> hub = hub::HubStore::open(dir.file("hub.db")).value();
  std::string iin = make_iin(Date{1995, 1, 1}, 'F', 7);

  Hub() {
    REQUIRE(hub->add_center("ALM-014", "almaty", "Almaty college").ok());
    WriteTxn w(hub->store());
    REQUIRE(w.begin().ok());
    REQUIRE(w.insert("trainee", new_row_id(), "ALM-014",
                     {{"iin", iin}, {"surname", std::string("Қасымова")}, {"given_name", std::string("Әлия")},
                      {"birth_date", std::string("1995-01-01")}, {"sex", std::string("F")},
                      {"status", std::string("active")}}).ok());
    REQUIRE(w.commit().ok());
  }
  std::vector<std::string> dates() {
    auto st = hub->store().db().prepare("SELECT test_date FROM test_result ORDER BY test_date");
    REQUIRE(st.ok());
    std::vector<std::string> out;
    while (st->step().value()) out.push_back(st->column_text(0));
    return out;
  }
};

}  // namespace

TEST_CASE("official results: DD.MM.YYYY and ISO dates are both read and stored as ISO") {
  Hub h;
  auto r = hub::import_official_results(*h.hub, "iin,test_date,score\n" + h.iin + ",17.05.2026,150\n" + h.iin +
                                                    ",2026-06-20,160\n",
                                        kToday);
  REQUIRE(r.ok());
  CHECK(r->errors.empty());
  CHECK(r->imported == 2);
  CHECK(h.dates() == std::vector<std::string>{"2026-05-17", "2026-06-20"});
  // The same result written the other way is recognised as already present.
  r = hub::import_official_results(*h.hub, "iin,test_date,score\n" + h.iin + ",2026-05-17,150\n", kToday);
  REQUIRE(r.ok());
  CHECK(r->already_present == 1);
  CHECK(r->imported == 0);
}

TEST_CASE("official results: a date in neither form refuses the file and writes nothing") {
  Hub h;
  for (const char* bad : {"17.5.2026", "2026-5-17", "31.02.2026"}) {
    CAPTURE(bad);
    auto r = hub::import_official_results(
        *h.hub, "iin,test_date,score\n" + h.iin + ",17.05.2026,150\n" + h.iin + "," + bad + ",150\n", kToday);
    REQUIRE(r.ok());
    REQUIRE(r->errors.size() == 1);
    CHECK(r->errors[0] == std::string("line 3: test_date: must be a date as DD.MM.YYYY or YYYY-MM-DD, got '") + bad + "'");
    CHECK(h.dates().empty());
  }
  auto r = hub::import_official_results(*h.hub, "iin,test_date,score\n" + h.iin + ",07.12.2026,150\n", kToday);
  REQUIRE(r.ok());
  CHECK(r->errors == std::vector<std::string>{"line 2: test_date: 2026-12-07 is in the future"});
}
