// The hub's official results file as a spreadsheet saves it: `;`, Windows-1251 or UTF-8 with a
// BOM, Russian or Kazakh header names; an IIN that lost its leading zero refuses the whole file.
#include <doctest/doctest.h>

#include "hub/hub_store.h"
#include "hub/official_results.h"
#include "records/iin.h"
#include "support/temp_dir.h"
#include "support/write_txn.h"

using namespace epsync;

TEST_CASE("official results: a spreadsheet's file is read, a lost leading zero refuses it all") {
  test::TempDir dir;
  auto opened = hub::HubStore::open(dir.file("hub.db"));
  REQUIRE_MESSAGE(opened.ok(), opened.status().message());
  auto hub = std::move(opened).value();
  REQUIRE(hub->add_center("ALM-014", "almaty", "Almaty college").ok());
  const std::string dana = make_iin(Date{2003, 4, 5}, 'F', 7), other = make_iin(Date{1990, 1, 2}, 'M', 8);
  test::write_and_commit(hub->store(), [&](WriteTxn& w) {
    REQUIRE(w.insert("trainee", new_row_id(), "ALM-014",
                     {{"iin", dana}, {"surname", std::string("Сәрсенбай")}, {"given_name", std::string("Дана")},
                      {"birth_date", std::string("2003-04-05")}, {"sex", std::string("F")},
                      {"status", std::string("active")}})
                .ok());
  });
  const Date today{2026, 12, 6};

  // "ИИН;Дата теста;Балл" in Windows-1251.
  auto ru = hub::import_official_results(*hub, "\xC8\xC8\xCD;\xC4\xE0\xF2\xE0 \xF2\xE5\xF1\xF2\xE0;\xC1\xE0\xEB\xEB\r\n" +
                                                   dana + ";2026-10-04;177\r\n" + other + ";2026-10-04;150\r\n", today);
  REQUIRE(ru.ok());
  CHECK(ru->errors.empty());
  CHECK(ru->imported == 1);
  CHECK(ru->unknown == std::vector<std::string>{"line 3: iin: no trainee with this IIN is enrolled at any centre"});

  auto kk = hub::import_official_results(*hub, "\xEF\xBB\xBFБалл;ЖСН;Тест күні\r\n177;" + dana + ";2026-10-04\r\n", today);
  REQUIRE(kk.ok());
  CHECK(kk->errors.empty());
  CHECK(kk->already_present == 1);

  auto lost = hub::import_official_results(*hub, "iin;test_date;score\r\n" + dana + ";2026-10-05;160\r\n" +
                                                     dana.substr(1) + ";2026-10-05;160\r\n", today);
  REQUIRE(lost.ok());
  REQUIRE(lost->errors.size() == 1);
  CHECK(lost->errors[0].rfind("line 3: iin: 11 digits — the leading zero was probably lost", 0) == 0);
  CHECK(lost->imported == 0);

  auto header = hub::import_official_results(*hub, "iin;date;score\r\n", today);
  REQUIRE(header.ok());
  CHECK(header->errors == std::vector<std::string>{"line 1: the header must be iin,test_date,score"});
}
