// Kazakhstan's individual identification number (IIN, ЖСН/ИИН): 12 digits, YYMMDD birth date,
// a century-and-sex digit, a serial and a check digit (two-pass weighted mod 11).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "records/date.h"
#include "storage/status.h"

namespace epsync {

// The check digit for the first 11 digits, or nullopt when both passes give 10 (such a number
// is never issued).
std::optional<int> iin_check_digit(std::string_view first11);

// Why the IIN's form or check digit is wrong ("must be 12 digits, got 11 characters"), or nullopt.
// A check digit that does not match is reported as a probable typing mistake, never with the digit
// that would make it valid: a number "fixed" that way is another person's IIN (SPEC §10).
std::optional<std::string> iin_problem(std::string_view iin);
// The same as a status naming the field: "iin: reason".
Status validate_iin(std::string_view iin);

// Birth date and sex ('F' or 'M') encoded in a well-formed IIN.
struct IinFacts {
  Date birth;
  char sex;
};
std::optional<IinFacts> iin_facts(std::string_view iin);

// Checks that the IIN agrees with the stated birth date and sex; the messages name the three
// inputs as the caller calls them ("--birth-date" at the CLI, "birth_date" in a CSV file).
Status check_iin_matches(std::string_view iin, const Date& birth, char sex,
                         std::string_view birth_name = "birth_date", std::string_view sex_name = "sex",
                         std::string_view iin_name = "iin");

// Builds a valid IIN for a birth date, sex and serial (tests, demos and benchmarks use it).
std::string make_iin(const Date& birth, char sex, int serial);

}  // namespace epsync
