// The Records writers take what a registrar types here (DD.MM.YYYY, М, производство, годен) and
// store ISO dates and English codes; a refusal is in the current language, names the field and
// writes nothing. Readiness blockers and the IIN messages speak the same language.
#include <doctest/doctest.h>

#include "records/iin.h"
#include "records/readiness.h"
#include "records/records.h"
#include "support/stores.h"
#include "support/temp_dir.h"
#include "support/write_txn.h"
#include "util/i18n.h"

using namespace epsync;

namespace {

const Date kToday{2026, 12, 6};

std::string cell(Store& s, const std::string& sql) {
  auto st = s.db().prepare(sql);
  REQUIRE(st.ok());
  REQUIRE(st->step().value());
  return st->column_text(0);
}

TraineeFields aliya() {
  TraineeFields f;
  f.iin = make_iin(Date{2000, 5, 17}, 'F', 7);
  f.surname = "Қасымова";
  f.given_name = "Әлия";
  f.birth_date = "17.05.2000";
  f.sex = "Ж";
  f.sector = "Сельское хозяйство";
  return f;
}

}  // namespace

TEST_CASE("records: words and DD.MM.YYYY dates are stored as English codes and ISO dates") {
  test::TempDir dir;
  test::FakeClock clock;
  auto s = test::make_store(dir.file("c.db"), clock);
  test::write_and_commit(*s, [&](WriteTxn& w) {
    Records rec(w, "ALM-014", kToday);
    auto id = rec.add_trainee(aliya(), FieldStyle::kFlag);
    REQUIRE_MESSAGE(id.ok(), id.status().message());
    REQUIRE(rec.record_test(id.value(), {"ЕПС-ТОПИК", "01.03.2026", 150}, FieldStyle::kFlag).ok());
    REQUIRE(rec.record_medical(id.value(), {"01.05.2026", "Годна", "01.05.2027", {}}).ok());
    REQUIRE(rec.record_document(id.value(), {"Паспорт", "проверен", {}, "15.01.2021", "15.01.2031", {}}).ok());
    REQUIRE(rec.record_document(id.value(), {"справка о несудимости", "тексерілді", {}, {}, {}, {}}).ok());
    TraineeFields change;
    change.status = "выбыла";
    change.sector = "ҚҰРЫЛЫС";
    REQUIRE(rec.update_trainee(id.value(), change, FieldStyle::kFlag).ok());
  });
  CHECK(cell(*s, "SELECT birth_date || '|' || sex || '|' || sector || '|' || status FROM trainee") ==
        "2000-05-17|F|construction|withdrawn");
  CHECK(cell(*s, "SELECT kind || '|' || test_date FROM test_result") == "eps-topik|2026-03-01");
  CHECK(cell(*s, "SELECT result || '|' || check_date || '|' || valid_until FROM medical_check") ==
        "fit|2026-05-01|2027-05-01");
  CHECK(cell(*s, "SELECT group_concat(kind || '|' || status || '|' || ifnull(issued, '') || '|' || ifnull(expires, ''), ';') "
                 "FROM (SELECT * FROM document_check ORDER BY kind)") ==
        "criminal-record|verified||;passport|verified|2021-01-15|2031-01-15");
}

TEST_CASE("records: a refusal in Russian or Kazakh names the field as the caller does and writes nothing") {
  test::TempDir dir;
  test::FakeClock clock;
  auto s = test::make_store(dir.file("c.db"), clock);
  auto refusal = [&](Lang lang, const std::function<Result<std::string>(Records&)>& fn) {
    ScopedLang speak(lang);
    WriteTxn w(*s);
    REQUIRE(w.begin().ok());
    Records rec(w, "ALM-014", kToday);
    auto r = fn(rec);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Status::Code::kInvalidInput);
    return r.status().message();  // the transaction rolls back unapplied
  };
  TraineeFields bad = aliya();
  bad.sex = "X";
  CHECK(refusal(Lang::kRu, [&](Records& r) { return r.add_trainee(bad, FieldStyle::kFlag); }) ==
        "--sex: допустимо F или M (а также Ж, М, женский, мужской), указано 'X'");
  CHECK(refusal(Lang::kKk, [&](Records& r) { return r.add_trainee(bad, FieldStyle::kColumn); }) ==
        "sex: F немесе M болуы керек (сондай-ақ Ж, М, әйел, ер), берілгені: 'X'");
  bad = aliya();
  bad.birth_date = "31.02.2000";
  CHECK(refusal(Lang::kRu, [&](Records& r) { return r.add_trainee(bad, FieldStyle::kFlag); }) ==
        "--birth-date: дата должна быть в виде ДД.ММ.ГГГГ или ГГГГ-ММ-ДД (например, 17.05.2000), указано '31.02.2000'");
  bad = aliya();
  bad.birth_date = "17.05.2030";
  CHECK(refusal(Lang::kRu, [&](Records& r) { return r.add_trainee(bad, FieldStyle::kFlag); }) ==
        "--birth-date: 17.05.2030 — дата в будущем");
  bad = aliya();
  bad.birth_date = "18.05.2000";
  CHECK(refusal(Lang::kRu, [&](Records& r) { return r.add_trainee(bad, FieldStyle::kFlag); }) ==
        "--iin: в номере указана дата рождения 17.05.2000, а --birth-date — 18.05.2000");
  CHECK(refusal(Lang::kKk, [&](Records& r) { return r.record_medical("x", {"01.05.2026", "сау", {}, {}}, FieldStyle::kFlag); })
            .starts_with("--result: мына мәндердің бірі болуы керек: fit, unfit, pending (сондай-ақ жарамды, жарамсыз, күтуде)"));
  CHECK(refusal(Lang::kRu, [&](Records& r) { return r.record_medical("x", {"01.05.2026", "годен", {}, {}}, FieldStyle::kFlag); }) ==
        "--valid-until: обязательно, если результат — «годен»");
  CHECK(test::count_rows(*s, "trainee") == 0);
  CHECK(test::count_rows(*s, "change_log") == 0);
}

TEST_CASE("iin: a wrong check digit is a probable typing mistake in every language, never the right digit") {
  std::string good = make_iin(Date{2000, 5, 17}, 'F', 7);
  for (char d = '0'; d <= '9'; ++d) {
    std::string typo = good.substr(0, 11) + d;
    if (typo == good) continue;
    CAPTURE(typo);
    for (Lang lang : {Lang::kEn, Lang::kKk, Lang::kRu}) {
      ScopedLang speak(lang);
      auto why = iin_problem(typo);
      REQUIRE(why);
      CHECK(why->find_first_of("0123456789") == std::string::npos);  // no digit to "fix" it with
    }
  }
  ScopedLang ru(Lang::kRu);
  CHECK(validate_iin(good.substr(0, 11) + (good[11] == '0' ? '1' : '0')).message() ==
        "iin: контрольная цифра не сходится: номер, вероятно, введён с ошибкой — сверьте его с удостоверением личности");
  ScopedLang kk(Lang::kKk);
  CHECK(iin_problem(good.substr(0, 11) + (good[11] == '0' ? '1' : '0')) ==
        "бақылау цифры сәйкес келмейді: нөмір қате терілген болуы мүмкін — жеке куәлікпен салыстырып шығыңыз");
}

TEST_CASE("readiness: blockers in the current language, their kinds the same in every language") {
  TraineeFacts f;
  f.trainee.birth_date = "2010-01-01";
  f.trainee.status = "departed";
  f.tests = {{"eps-topik", "2024-01-10", 150}};
  f.medicals = {{"m1", "2026-05-01", "unfit", ""}};
  f.documents = {{"passport", "verified", "2027-01-01"}, {"criminal-record", "submitted", ""}};
  std::vector<std::string> kinds;
  for (const auto& b : assess(f, {}, kToday).blockers) kinds.push_back(b.kind);
  CHECK(kinds == std::vector<std::string>{"age", "language-test", "medical", "passport", "criminal-record",
                                          "immigration-record", "status"});
  ScopedLang ru(Lang::kRu);
  auto got = assess(f, {}, kToday).blockers;
  REQUIRE(got.size() == kinds.size());
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i].kind == kinds[i]);
  CHECK(got[0].text == "возраст на 06.12.2026 — 16, вне допустимых пределов от 18 до 39");
  CHECK(got[1].text == "EPS-TOPIK сдан 10.01.2024: результат старше 24 месяцев");
  CHECK(got[2].text == "последний медосмотр (01.05.2026): не годен");
  CHECK(got[3].text == "срок паспорта истекает 01.01.2027, менее чем через 6 месяцев после 06.12.2026");
  CHECK(got[4].text == "справка о несудимости: сдано, не проверена");
  CHECK(got[5].text == "миграционная справка не внесена");
  CHECK(got[6].text == "статус: выехал");
  ScopedLang kk(Lang::kKk);
  CHECK(assess(f, {}, kToday).blockers[2].text == "соңғы медициналық тексеру (01.05.2026): жарамсыз");
}
