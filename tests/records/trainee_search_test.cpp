// Finding trainees (records/trainee_search.h) and naming them by short ids (records/trainee_ids.h)
// on real store files: case folding in Kazakh, Russian and Latin letters, IIN prefixes, and ids
// made in the same millisecond.
#include "records/trainee_search.h"

#include <doctest/doctest.h>

#include <set>

#include "records/iin.h"
#include "records/trainee_ids.h"
#include "support/stores.h"
#include "support/temp_dir.h"

using namespace epsync;
using namespace epsync::test;

namespace {

const Date kToday{2026, 12, 6};

Trainee person(const std::string& surname, const std::string& given, const std::string& patronymic = "",
               const std::string& iin = "950101401239") {
  Trainee t;
  t.surname = surname;
  t.given_name = given;
  t.patronymic = patronymic;
  t.iin = iin;
  return t;
}

bool found(const std::string& query, const Trainee& t) { return TraineeSearch(query).matches(t); }

// A centre store with trainees enrolled through Records, as the CLI and CSV import enrol them.
struct Centre {
  TempDir dir;
  FakeClock clock;
  std::unique_ptr<Store> store = make_store(dir.file("centre.db"), clock);

  std::vector<std::string> enrol(const std::vector<std::array<std::string, 3>>& people) {
    WriteTxn w(*store);
    REQUIRE(w.begin().ok());
    Records r(w, "ALM-014", kToday);
    std::vector<std::string> ids;
    int serial = 1;
    std::set<std::string> iins;
    for (const auto& [surname, given, patronymic] : people) {
      TraineeFields f;
      // make_iin moves past serials whose check digit fails, onto the next one's: skip repeats.
      do f.iin = make_iin(Date{1995, 1, 1}, 'F', serial++);
      while (!iins.insert(*f.iin).second);
      f.surname = surname;
      f.given_name = given;
      if (!patronymic.empty()) f.patronymic = patronymic;
      f.birth_date = "1995-01-01";
      f.sex = "F";
      auto id = r.add_trainee(f, FieldStyle::kFlag);
      REQUIRE_MESSAGE(id.ok(), id.status().message());
      ids.push_back(id.value());
    }
    REQUIRE(w.commit().ok());
    return ids;
  }
};

}  // namespace

TEST_CASE("search: Cyrillic in any case, any part of any name") {
  const Trainee t = person("Нурланов", "Айдар", "Серикович");
  CHECK(found("нурлан", t));
  CHECK(found("НУРЛАНОВ", t));
  CHECK(found("рлано", t));       // inside the surname
  CHECK(found("айДАР", t));       // the given name
  CHECK(found("серикович", t));   // the patronymic
  CHECK(found("нурланов айдар", t));  // every word must be found, in any name
  CHECK(found("  айдар   нурланов ", t));
  CHECK_FALSE(found("нурланова", t));
  CHECK_FALSE(found("нурланов бекзат", t));  // one word of two is not enough
}

TEST_CASE("search: Kazakh letters fold to their small forms, and stay apart from Russian look-alikes") {
  const Trainee t = person("ҚАСЫМОВА", "ӘЛИЯ", "СЕРІКҚЫЗЫ");
  CHECK(found("қасым", t));
  CHECK(found("әлия", t));
  CHECK(found("серікқызы", t));
  const Trainee all = person("ӘҒҚҢӨҰҮҺІ", "x");
  CHECK(found("әғқңөұүһі", all));
  CHECK(found("ӘҒҚҢӨҰҮҺІ", person("әғқңөұүһі", "x")));
  CHECK(fold_for_search("ӘҒҚҢӨҰҮҺІ") == "әғқңөұүһі");
  // Қ is not К, І is not И: a search for the Russian spelling does not find the Kazakh one.
  CHECK_FALSE(found("касым", t));
  CHECK_FALSE(found("серикқызы", t));
}

TEST_CASE("search: Latin letters, ё as е, and composed or decomposed letters alike") {
  CHECK(found("SMITH", person("Smith", "John")));
  CHECK(found("john", person("Smith", "JOHN")));
  CHECK(found("елкин", person("Ёлкин", "Сергей")));
  CHECK(found("ЁЛКИН", person("Елкин", "Сергей")));
  CHECK(found("ёлкин", person("Е\u0308лкин", "Сергей")));  // е + combining diaeresis
  CHECK_FALSE(found("smyth", person("Smith", "John")));
}

TEST_CASE("search: digits are the start of the IIN, not any part of it") {
  const Trainee t = person("Нурланов", "Айдар", "", "950101401239");
  CHECK(found("9501", t));
  CHECK(found("950101401239", t));
  CHECK(found("9501 нурлан", t));
  CHECK_FALSE(found("401239", t));
  CHECK_FALSE(found("9502", t));
  CHECK_FALSE(found("9501 айгерим", t));
  CHECK(TraineeSearch("   ").empty());
}

TEST_CASE("search: over a store - matches in list order, nothing found, an empty search refused") {
  Centre c;
  c.enrol({{"Нурланов", "Айдар", ""}, {"Нурланова", "Әлия", ""}, {"Smith", "John", ""}});
  auto two = search_trainees(*c.store, "НУРЛАН");
  REQUIRE(two.ok());
  REQUIRE(two->size() == 2);
  CHECK(two->at(0).surname == "Нурланов");
  CHECK(two->at(1).surname == "Нурланова");
  auto none = search_trainees(*c.store, "Бекзат");
  REQUIRE(none.ok());
  CHECK(none->empty());
  auto empty = search_trainees(*c.store, " ");
  CHECK(empty.status().code() == Status::Code::kInvalidInput);
}

TEST_CASE("search: show's lookup takes one match, refuses several with their short ids") {
  Centre c;
  auto ids = c.enrol({{"Нурланов", "Айдар", ""}, {"Нурланова", "Әлия", ""}, {"Smith", "John", ""}});
  auto one = find_trainee_or_search(*c.store, "smith");
  REQUIRE(one.ok());
  CHECK(one->id == ids[2]);
  CHECK(find_trainee_or_search(*c.store, "әлия")->id == ids[1]);
  auto several = find_trainee_or_search(*c.store, "Нурланов");
  CHECK(several.status().code() == Status::Code::kInvalidInput);
  auto short_ids = ShortIds::load(*c.store);
  REQUIRE(short_ids.ok());
  CHECK(several.status().message().find(short_ids->of(ids[0])) != std::string::npos);
  CHECK(several.status().message().find(short_ids->of(ids[1])) != std::string::npos);
  CHECK(several.status().message().find(short_ids->of(ids[2])) == std::string::npos);
  CHECK(find_trainee_or_search(*c.store, "Бекзат").status().code() == Status::Code::kNotFound);
  // Writers never guess from a name: they are told how to search.
  auto by_name = find_trainee(*c.store, "Нурланов");
  CHECK(by_name.status().code() == Status::Code::kInvalidInput);
  CHECK(by_name.status().message().find("epsync trainee list --search") != std::string::npos);
}

TEST_CASE("short ids: the shortest unique prefix, never under 8 characters") {
  ShortIds ids({"0123456789abcdef0000000000000001", "0123456789abcdef0000000000000002",
                "0123456789abcdef1000000000000000", "fedcba9876543210fedcba9876543210"});
  CHECK(ids.of("0123456789abcdef0000000000000001") == "0123456789abcdef0000000000000001");
  CHECK(ids.of("0123456789abcdef1000000000000000") == "0123456789abcdef1");
  CHECK(ids.of("fedcba9876543210fedcba9876543210") == "fedcba98");
  CHECK(ShortIds({"0123456789abcdef0000000000000001"}).of("0123456789abcdef0000000000000001") == "01234567");
}

TEST_CASE("short ids: 500 trainees enrolled in one go each get their own, and each finds its trainee") {
  Centre c;
  std::vector<std::array<std::string, 3>> people;
  for (int i = 0; i < 500; ++i) people.push_back({"Фамилия" + std::to_string(i), "Имя", ""});
  auto made = c.enrol(people);
  // The millisecond the test ran in is shared by many of them: the first 8 characters are not.
  CHECK(std::set<std::string>(made.begin(), made.end()).size() == 500);
  auto ids = ShortIds::load(*c.store);
  REQUIRE(ids.ok());
  std::set<std::string> shorts;
  std::size_t longest = 0;
  for (const auto& id : made) {
    const std::string s = ids->of(id);
    CHECK(s.size() >= ShortIds::kMinLength);
    longest = std::max(longest, s.size());
    shorts.insert(s);
    auto t = find_trainee(*c.store, s);
    REQUIRE_MESSAGE(t.ok(), t.status().message());
    CHECK(t->id == id);
  }
  CHECK(shorts.size() == 500);
  CHECK(longest > 8);  // 8 characters alone would not have told them apart
  // One character less than a short id that needed more than 8 is shared by another trainee.
  for (const auto& s : shorts)
    if (s.size() > 8) {
      CHECK(find_trainee(*c.store, s.substr(0, s.size() - 1)).status().code() == Status::Code::kInvalidInput);
      break;
    }
}
