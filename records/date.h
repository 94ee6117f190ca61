// Calendar dates as epsync uses them: ISO-8601 YYYY-MM-DD, proleptic Gregorian, no time zone.
// Readiness and validation compare dates only, so this is all the calendar they need.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace epsync {

struct Date {
  int year = 1970;
  int month = 1;
  int day = 1;
  auto operator<=>(const Date&) const = default;
};

// Strict YYYY-MM-DD with a real calendar day (2025-02-29 is refused): the form dates are stored,
// exported and sent in.
std::optional<Date> parse_date(std::string_view text);
std::string format_date(const Date& d);

// A date as people here write it (SPEC §10): YYYY-MM-DD or DD.MM.YYYY, a real calendar day.
// Strict on purpose: two digits for day and month and four for the year (01.05.2000, as
// spreadsheets in the Kazakh and Russian locales write it); 1.5.2000, 01.05.00 and 2000-5-1 are
// refused rather than guessed at.
std::optional<Date> parse_input_date(std::string_view text);
// The date as text output shows it in the current language: DD.MM.YYYY in Kazakh and Russian,
// YYYY-MM-DD in English. JSON and CSV keep ISO (format_date).
std::string display_date(const Date& d);
// The same for a stored ISO date; text that is not one is returned unchanged.
std::string display_date(std::string_view iso);

std::int64_t days_since_epoch(const Date& d);
Date date_from_days(std::int64_t days);
Date add_days(const Date& d, std::int64_t n);
// Same day of month `n` months later; clamped to the month's last day (Aug 31 + 6 = Feb 28/29).
Date add_months(const Date& d, int n);
// Completed years of age on `on` for someone born on `birth` (a Feb 29 birthday counts on Mar 1).
int age_on(const Date& birth, const Date& on);
int days_in_month(int year, int month);

// Unix milliseconds through strftime, in UTC or the machine's local time zone ("" if the result
// would not fit 64 bytes).
std::string format_unix_time(std::int64_t unix_ms, const char* strftime_format, bool local);
// "2026-11-22T07:51:13Z" for Unix milliseconds (UTC, whole seconds).
std::string utc_iso_time(std::int64_t unix_ms);

// Today in the machine's local time zone: a centre's "today" is its own calendar day.
Date today_local();

}  // namespace epsync
