#include "records/date.h"

#include <cstdio>
#include <ctime>

#include "util/i18n.h"

namespace epsync {

namespace {
bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
}  // namespace

int days_in_month(int year, int month) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

namespace {

// The date whose year, month and day stand at these offsets of a 10-character text with
// separators elsewhere; nullopt unless all are digits and the day is a real one.
std::optional<Date> date_at(std::string_view t, size_t year_at, size_t month_at, size_t day_at) {
  auto digits = [&](size_t from, size_t n, int& out) {
    out = 0;
    for (size_t i = from; i < from + n; ++i) {
      if (t[i] < '0' || t[i] > '9') return false;
      out = out * 10 + (t[i] - '0');
    }
    return true;
  };
  Date d;
  if (!digits(year_at, 4, d.year) || !digits(month_at, 2, d.month) || !digits(day_at, 2, d.day)) return std::nullopt;
  if (d.year < 1 || d.month < 1 || d.month > 12 || d.day < 1 || d.day > days_in_month(d.year, d.month))
    return std::nullopt;
  return d;
}

}  // namespace

std::optional<Date> parse_date(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  return date_at(t, 0, 5, 8);
}

std::optional<Date> parse_input_date(std::string_view t) {
  if (t.size() == 10 && t[2] == '.' && t[5] == '.') return date_at(t, 6, 3, 0);
  return parse_date(t);
}

std::string display_date(const Date& d) {
  if (current_lang() == Lang::kEn) return format_date(d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d.%02d.%04d", d.day, d.month, d.year);
  return buf;
}

std::string display_date(std::string_view iso) {
  auto d = parse_date(iso);
  return d ? display_date(*d) : std::string(iso);
}

std::string format_date(const Date& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

// Howard Hinnant's days_from_civil / civil_from_days.
std::int64_t days_since_epoch(const Date& d) {
  std::int64_t y = d.year - (d.month <= 2 ? 1 : 0);
  std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  std::int64_t yoe = y - era * 400;
  std::int64_t mp = (d.month + 9) % 12;
  std::int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
  std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Date date_from_days(std::int64_t z) {
  z += 719468;
  std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  std::int64_t doe = z - era * 146097;
  std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = yoe + era * 400;
  std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  std::int64_t mp = (5 * doy + 2) / 153;
  int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return Date{static_cast<int>(y + (m <= 2 ? 1 : 0)), m, d};
}

Date add_days(const Date& d, std::int64_t n) { return date_from_days(days_since_epoch(d) + n); }

Date add_months(const Date& d, int n) {
  int total = d.year * 12 + (d.month - 1) + n;
  Date r{total / 12, total % 12 + 1, d.day};
  if (r.day > days_in_month(r.year, r.month)) r.day = days_in_month(r.year, r.month);
  return r;
}

int age_on(const Date& birth, const Date& on) {
  int age = on.year - birth.year;
  if (on.month < birth.month || (on.month == birth.month && on.day < birth.day)) --age;
  return age;
}

std::string format_unix_time(std::int64_t unix_ms, const char* strftime_format, bool local) {
  std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  if (local) localtime_r(&secs, &tm);
  else gmtime_r(&secs, &tm);
  char buf[64];
  if (std::strftime(buf, sizeof buf, strftime_format, &tm) == 0) return {};
  return buf;
}

std::string utc_iso_time(std::int64_t unix_ms) { return format_unix_time(unix_ms, "%Y-%m-%dT%H:%M:%SZ", false); }

Date today_local() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  return Date{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

}  // namespace epsync
