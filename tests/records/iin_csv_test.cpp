#include <doctest/doctest.h>

#include "records/csv.h"
#include "records/date.h"
#include "records/iin.h"

using namespace epsync;

TEST_CASE("iin: the two-pass weighted mod-11 check digit") {
  CHECK(validate_iin("950101401239").ok());
  // A wrong check digit is a probable typing mistake; the message never names the digit that
  // would pass, since a number "fixed" that way is another person's IIN.
  const std::string mistyped =
      "iin: the check digit does not match: the number is probably mistyped — compare it with the identity card";
  CHECK(validate_iin("950101401238").message() == mistyped);
  CHECK(validate_iin("950101401238").message().find('9') == std::string::npos);
  CHECK(iin_check_digit("95010140123") == 9);
  // Numbers whose first pass gives 10 use the second weights (3..11, 1, 2).
  int second_pass = 0, never_issued = 0;
  for (int serial = 0; serial < 2000; ++serial) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "9501014%04d", serial);
    int sum = 0;
    for (int i = 0; i < 11; ++i) sum += (buf[i] - '0') * (i + 1);
    if (sum % 11 != 10) continue;
    auto c = iin_check_digit(buf);
    if (!c) {
      ++never_issued;
      CHECK(validate_iin(std::string(buf) + "0").message() == mistyped);  // never issued: mistyped too
      continue;
    }
    ++second_pass;
    int sum2 = 0;
    for (int i = 0; i < 11; ++i) sum2 += (buf[i] - '0') * ((i + 2) % 11 + 1);
    CHECK(*c == sum2 % 11);
    CHECK(validate_iin(std::string(buf) + static_cast<char>('0' + *c)).ok());
  }
  CHECK(second_pass > 0);
  CHECK(never_issued > 0);
}

TEST_CASE("iin: digits 1-7 carry birth date, century and sex") {
  auto f = iin_facts("950101401239");
  REQUIRE(f);
  CHECK(f->birth == Date{1995, 1, 1});
  CHECK(f->sex == 'F');
  f = iin_facts("090201501238");
  REQUIRE(f);
  CHECK(f->birth == Date{2009, 2, 1});
  CHECK(f->sex == 'M');
  CHECK_FALSE(iin_facts("951301401239"));  // month 13
  CHECK_FALSE(iin_facts("950101701239"));  // century digit 7
  CHECK_FALSE(iin_facts("950100401239"));  // day 0
  CHECK_FALSE(iin_facts("950431401239"));  // April 31
  CHECK_FALSE(iin_facts("010229501239"));  // 2001 is not a leap year
  REQUIRE(iin_facts("000229501239"));      // 2000 is
  CHECK(iin_facts("000229501239")->birth == Date{2000, 2, 29});
  CHECK(iin_facts("991231101239")->birth == Date{1899, 12, 31});  // codes 1-2 are the 1800s
  CHECK(check_iin_matches("950101401239", Date{1995, 1, 1}, 'F').ok());
  CHECK(check_iin_matches("950101401239", Date{1995, 1, 2}, 'F', "--birth-date").message() ==
        "iin: encodes birth date 1995-01-01, --birth-date is 1995-01-02");
  for (char sex : {'F', 'M'})
    for (Date d : {Date{1899, 12, 31}, Date{1999, 2, 28}, Date{2000, 2, 29}, Date{2008, 11, 22}}) {
      std::string iin = make_iin(d, sex, 42);
      CHECK(validate_iin(iin).ok());
      CHECK(check_iin_matches(iin, d, sex).ok());
    }
}

TEST_CASE("dates: strict ISO-8601 and calendar arithmetic") {
  CHECK(parse_date("2024-02-29"));
  CHECK_FALSE(parse_date("2025-02-29"));
  CHECK_FALSE(parse_date("2025-2-1"));
  CHECK_FALSE(parse_date("2025-02-01T00:00"));
  CHECK(add_months(Date{2026, 8, 31}, 6) == Date{2027, 2, 28});
  CHECK(add_months(Date{2027, 8, 31}, 6) == Date{2028, 2, 29});
  CHECK(add_months(Date{2026, 11, 22}, -24) == Date{2024, 11, 22});
  CHECK(age_on(Date{2000, 2, 29}, Date{2018, 2, 28}) == 17);
  CHECK(age_on(Date{2000, 2, 29}, Date{2018, 3, 1}) == 18);
  for (std::int64_t d = -800000; d < 800000; d += 997) CHECK(days_since_epoch(date_from_days(d)) == d);
}

TEST_CASE("csv: RFC 4180 records, quoting and line numbers") {
  auto r = parse_csv("a,b,c\r\n\"x, y\",\"he said \"\"hi\"\"\",\"two\nlines\"\n,,\nlast,row,here");
  REQUIRE(r.ok());
  REQUIRE(r->size() == 4);
  CHECK(r.value()[1].fields == std::vector<std::string>{"x, y", "he said \"hi\"", "two\nlines"});
  CHECK(r.value()[1].line == 2);
  CHECK(r.value()[2].line == 4);  // after the embedded newline
  CHECK(r.value()[2].fields == std::vector<std::string>{"", "", ""});
  CHECK(r.value()[3].fields == std::vector<std::string>{"last", "row", "here"});
  CHECK(parse_csv("\xEF\xBB\xBF" "a\n").value()[0].fields == std::vector<std::string>{"a"});
  CHECK(parse_csv("a\n\"open").status().message() == "line 2: a quoted field is never closed");
  CHECK(parse_csv("\"a\"b\n").status().message() == "line 1: text after a closing quote");
  for (const std::vector<std::string>& rec :
       {std::vector<std::string>{"plain", "with,comma", "with \"quote\"", "multi\r\nline", " padded ", ""},
        std::vector<std::string>{"Әлия", "Ёлкин"}}) {
    auto back = parse_csv(csv_line(rec));
    REQUIRE(back.ok());
    CHECK(back.value()[0].fields == rec);
  }
}
