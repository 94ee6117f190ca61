#include "records/iin.h"

#include <cstdio>

#include "records/vocabulary.h"
#include "util/i18n.h"

namespace epsync {

std::optional<int> iin_check_digit(std::string_view d) {
  auto pass = [&](int first_weight) {
    int sum = 0;
    for (int i = 0; i < 11; ++i) {
      int w = (first_weight + i - 1) % 11 + 1;  // 1..11, or 3..11,1,2
      sum += (d[static_cast<size_t>(i)] - '0') * w;
    }
    return sum % 11;
  };
  int c = pass(1);
  if (c == 10) c = pass(3);
  if (c == 10) return std::nullopt;
  return c;
}

std::optional<std::string> iin_problem(std::string_view iin) {
  if (iin.size() != 12) return trf("must be 12 digits, got {} characters", iin.size());
  for (char c : iin)
    if (c < '0' || c > '9') return tr("must contain digits only");
  if (!iin_facts(iin)) return tr("digits 1-7 do not encode a valid birth date, century and sex");
  auto check = iin_check_digit(iin.substr(0, 11));
  if (!check || iin[11] - '0' != *check)
    return tr("the check digit does not match: the number is probably mistyped — compare it with the identity card");
  return std::nullopt;
}

Status validate_iin(std::string_view iin) {
  if (auto why = iin_problem(iin)) return Status::InvalidInput("iin: " + *why);
  return Status::Ok();
}

std::optional<IinFacts> iin_facts(std::string_view iin) {
  if (iin.size() < 7) return std::nullopt;
  for (size_t i = 0; i < 7; ++i)
    if (iin[i] < '0' || iin[i] > '9') return std::nullopt;
  int code = iin[6] - '0';
  if (code < 1 || code > 6) return std::nullopt;
  int century = 1800 + 100 * ((code - 1) / 2);
  char sex = code % 2 == 1 ? 'M' : 'F';
  auto two = [&](size_t i) { return (iin[i] - '0') * 10 + (iin[i + 1] - '0'); };
  Date birth{century + two(0), two(2), two(4)};
  if (birth.month < 1 || birth.month > 12 || birth.day < 1 || birth.day > days_in_month(birth.year, birth.month))
    return std::nullopt;
  return IinFacts{birth, sex};
}

Status check_iin_matches(std::string_view iin, const Date& birth, char sex,
                         std::string_view birth_name, std::string_view sex_name, std::string_view iin_name) {
  auto f = iin_facts(iin);
  const std::string field(iin_name);
  if (!f) return Status::InvalidInput(field + ": " + tr("digits 1-7 do not encode a valid birth date, century and sex"));
  if (f->birth != birth)
    return Status::InvalidInput(
        field + ": " + trf("encodes birth date {}, {} is {}", display_date(f->birth), birth_name, display_date(birth)));
  if (f->sex != sex)
    return Status::InvalidInput(field + ": " + trf("encodes sex {}, {} is {}", display_word(Enum::kSex, std::string(1, f->sex)),
                                                   sex_name, display_word(Enum::kSex, std::string(1, sex))));
  return Status::Ok();
}

std::string make_iin(const Date& birth, char sex, int serial) {
  for (int s = serial;; ++s) {
    int century_code = (birth.year - 1800) / 100 * 2 + (sex == 'F' ? 2 : 1);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02d%02d%02d%d%04d", birth.year % 100, birth.month, birth.day,
                  century_code, s % 10000);
    auto c = iin_check_digit(buf);
    if (c) return std::string(buf) + static_cast<char>('0' + *c);
  }
}

}  // namespace epsync
