// The real binary as a registrar here uses it (SPEC §10): `--lang kk` and `--lang ru`, dates as
// DD.MM.YYYY, sex as the Cyrillic М, sectors and results in Kazakh and Russian words. What is stored
// is ISO and the English codes; a bad value is refused in the registrar's language, naming the
// field, and leaves the store byte for byte as it was.
#include <doctest/doctest.h>

#include "cli/cli_fixture.h"

using namespace epsync::test;
using nlohmann::json;

namespace {

std::vector<std::string> in(const char* lang, std::vector<std::string> args) {
  args.insert(args.begin(), {"--lang", lang});
  return args;
}

// A refusal: exit 2, `needle` in the message, nothing written.
void refused(const Centre& c, const std::vector<std::string>& args, const std::string& needle) {
  const std::string before = c.snapshot();
  auto r = c.epsync(args);
  CAPTURE(r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(needle) != std::string::npos);
  CHECK(c.snapshot() == before);
}

const std::vector<std::string> kSergey = {"trainee", "add", "--iin", kSergeyIin, "--surname", "Ахметов",
                                          "--given-name", "Сергей"};

std::vector<std::string> sergey(std::vector<std::string> more) {
  auto args = kSergey;
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

}  // namespace

TEST_CASE("cli words: ru - М, производство, 15.07.1998 and годен are stored as M, manufacturing, ISO and fit") {
  Centre c;
  c.init();
  c.ok(in("ru", sergey({"--birth-date", "15.07.1998", "--sex", "М", "--sector", "производство"})));
  json t = c.json({"trainee", "show", kSergeyIin});
  CHECK(t["birth_date"] == "1998-07-15");
  CHECK(t["sex"] == "M");
  CHECK(t["sector"] == "manufacturing");
  c.ok(in("ru", {"record", "medical", kSergeyIin, "--date", "01.12.2026", "--result", "Годен", "--valid-until",
                 "01.12.2027"}));
  c.ok(in("ru", {"record", "test", kSergeyIin, "--kind", "пробный тест", "--date", "02.12.2026", "--score", "120"}));
  c.ok(in("ru", {"record", "document", kSergeyIin, "--kind", "паспорт", "--status", "проверен", "--expires",
                 "01.01.2031"}));
  c.ok(in("ru", {"trainee", "update", kSergeyIin, "--status", "выбыл"}));
  std::string csv = c.ok({"export"});
  CHECK(csv.find(std::string(kSergeyIin) + ",Ахметов,Сергей,,1998-07-15,M,,manufacturing,withdrawn") != std::string::npos);
  json r = c.json(in("ru", {"readiness", "--as-of", "06.12.2026"}));
  CHECK(r["as_of"] == "2026-12-06");
  std::vector<std::string> blockers = r["readiness"][0]["blockers"];
  CHECK(std::find(blockers.begin(), blockers.end(), "справка о несудимости не внесена") != blockers.end());
  CHECK(std::find(blockers.begin(), blockers.end(), "статус: выбыл") != blockers.end());
}

TEST_CASE("cli words: kk - Ж, ауыл шаруашылығы and жарамды are accepted; text output speaks Kazakh") {
  Centre c;
  c.init();
  c.ok(in("kk", {"trainee", "add", "--iin", kAliyaIin, "--surname", "Қасымова", "--given-name", "Әлия",
                 "--birth-date", "01.01.1995", "--sex", "ж", "--sector", "Ауыл шаруашылығы"}));
  json t = c.json({"trainee", "show", kAliyaIin});
  CHECK(t["birth_date"] == "1995-01-01");
  CHECK(t["sex"] == "F");
  CHECK(t["sector"] == "agriculture");
  c.ok(in("kk", {"record", "medical", kAliyaIin, "--date", "01.06.2026", "--result", "жарамсыз"}));
  std::string text = c.ok(in("kk", {"readiness", "--as-of", "06.12.2026"}));
  CHECK(text.find("соңғы медициналық тексеру (01.06.2026): жарамсыз") != std::string::npos);
  CHECK(text.find("төлқұжат енгізілмеген") != std::string::npos);
}

TEST_CASE("cli words: a bad value is refused in the registrar's language, naming the field; nothing written") {
  Centre c;
  c.init();
  refused(c, in("ru", sergey({"--birth-date", "15.07.1998", "--sex", "X"})),
          "--sex: допустимо F или M (а также Ж, М, женский, мужской), указано 'X'");
  refused(c, in("kk", sergey({"--birth-date", "15.07.1998", "--sex", "M", "--sector", "тау-кен"})),
          "--sector: мына мәндердің бірі болуы керек: manufacturing, agriculture, construction, fishery, service");
  refused(c, in("ru", sergey({"--birth-date", "31.02.1998", "--sex", "M"})),
          "--birth-date: дата должна быть в виде ДД.ММ.ГГГГ или ГГГГ-ММ-ДД (например, 17.05.2000), указано '31.02.1998'");
  refused(c, in("kk", sergey({"--birth-date", "15.7.1998", "--sex", "M"})),
          "--birth-date: күн КК.АА.ЖЖЖЖ немесе ЖЖЖЖ-АА-КК түрінде болуы керек");
  refused(c, in("ru", sergey({"--birth-date", "16.07.1998", "--sex", "M"})),
          "--iin: в номере указана дата рождения 15.07.1998, а --birth-date — 16.07.1998");
  refused(c, in("en", sergey({"--birth-date", "1998-7-15", "--sex", "M"})),
          "--birth-date: must be a date as DD.MM.YYYY or YYYY-MM-DD, got '1998-7-15'");
  refused(c, in("ru", {"readiness", "--as-of", "6.12.2026"}), "--as-of: дата должна быть в виде ДД.ММ.ГГГГ");
  c.add(kAliyaIin, "Қасымова", "Әлия", "1995-01-01", "F");
  refused(c, in("ru", {"record", "medical", kAliyaIin, "--date", "01.06.2026", "--result", "здоров"}),
          "--result: допустимые значения: fit, unfit, pending (а также годен, не годен, ожидается), указано 'здоров'");
  refused(c, in("kk", {"record", "document", kAliyaIin, "--kind", "виза", "--status", "тексерілді"}),
          "--kind: мына мәндердің бірі болуы керек: passport, criminal-record");
  refused(c, in("ru", {"record", "test", kAliyaIin, "--kind", "topik", "--date", "01.01.2030", "--score", "150"}),
          "--date: 01.01.2030 — дата в будущем");
}

TEST_CASE("cli words: a wrong IIN check digit is a probable typing mistake in each language, without the digit") {
  Centre c;
  c.init();
  const std::string typo = std::string(kSergeyIin).substr(0, 11) + "5";  // the right one is 6
  auto add_typo = [&](const char* lang) {
    return in(lang, {"trainee", "add", "--iin", typo, "--surname", "Ахметов", "--given-name", "Сергей", "--birth-date",
                     "15.07.1998", "--sex", "M"});
  };
  refused(c, add_typo("ru"),
          "--iin: контрольная цифра не сходится: номер, вероятно, введён с ошибкой — сверьте его с удостоверением личности");
  refused(c, add_typo("kk"),
          "--iin: бақылау цифры сәйкес келмейді: нөмір қате терілген болуы мүмкін — жеке куәлікпен салыстырып шығыңыз");
  for (const char* lang : {"en", "kk", "ru"}) CHECK(c.epsync(add_typo(lang)).err.find('6') == std::string::npos);
}

TEST_CASE("cli words: --help of each enumerated or date option lists what it accepts, in the chosen language") {
  Centre c;
  std::string add = c.run_other({"trainee", "add", "--help"}).out;
  CHECK(add.find("Birth date: DD.MM.YYYY or YYYY-MM-DD") != std::string::npos);
  CHECK(add.find("F (Ж, әйел, женский") != std::string::npos);
  CHECK(add.find("manufacturing (өндіріс, производство") != std::string::npos);
  std::string medical = c.run_other({"--lang", "ru", "record", "medical", "--help"}).out;
  CHECK(medical.find("Результат: fit (жарамды, годен, годна)") != std::string::npos);
  CHECK(medical.find("Дата осмотра: ДД.ММ.ГГГГ или ГГГГ-ММ-ДД") != std::string::npos);
  std::string document = c.run_other({"--lang", "kk", "record", "document", "--help"}).out;
  CHECK(document.find("Құжат: passport (төлқұжат, паспорт)") != std::string::npos);
  CHECK(document.find("verified (тексерілді, проверено") != std::string::npos);
  CHECK(c.run_other({"--lang", "ru", "readiness", "--help"}).out.find("Отчётная дата: ДД.ММ.ГГГГ или ГГГГ-ММ-ДД") !=
        std::string::npos);
  CHECK(c.run_other({"trainee", "update", "--help"}).out.find("withdrawn (оқудан шықты, выбыл") != std::string::npos);
}
