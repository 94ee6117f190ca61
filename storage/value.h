// Value: one SQLite cell (NULL, integer, real or UTF-8 text), as carried by change records.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace epsync {

using Value = std::variant<std::monostate, std::int64_t, double, std::string>;

inline bool is_null(const Value& v) { return std::holds_alternative<std::monostate>(v); }

// A Value whose text lives elsewhere (a log body, a RowChange): for reading without copying.
using ValueView = std::variant<std::monostate, std::int64_t, double, std::string_view>;

inline ValueView view_of(const Value& v) {
  if (auto* s = std::get_if<std::string>(&v)) return std::string_view(*s);
  if (auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (auto* d = std::get_if<double>(&v)) return *d;
  return std::monostate{};
}

inline Value to_value(const ValueView& v) {
  if (auto* s = std::get_if<std::string_view>(&v)) return std::string(*s);
  if (auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (auto* d = std::get_if<double>(&v)) return *d;
  return std::monostate{};
}

// A stable, unambiguous text form (SQL literal style) used by dumps and tests.
std::string to_literal(const Value& v);

}  // namespace epsync
