// Value: one SQLite cell (NULL, integer, real or UTF-8 text), as carried by change records.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

namespace epsync {

using Value = std::variant<std::monostate, std::int64_t, double, std::string>;

inline bool is_null(const Value& v) { return std::holds_alternative<std::monostate>(v); }

// A stable, unambiguous text form (SQL literal style) used by dumps and tests.
std::string to_literal(const Value& v);

}  // namespace epsync
