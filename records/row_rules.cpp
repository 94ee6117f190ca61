#include "records/row_rules.h"

#include <algorithm>
#include <cstdint>

#include "records/iin.h"
#include "records/regions.h"
#include "storage/schema.h"

namespace epsync {

bool is_one_of(const std::string& v, const std::vector<std::string>& allowed) {
  return std::find(allowed.begin(), allowed.end(), v) != allowed.end();
}

std::string list_of(const std::vector<std::string>& allowed) {
  std::string out;
  for (const auto& a : allowed) out += (out.empty() ? "" : ", ") + a;
  return out;
}

// Valid UTF-8 without control characters, at most `max_chars` characters.
std::optional<std::string> text_problem(const std::string& s, std::size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {  // printable ASCII, nearly every byte a hub checks
      ++i;
      ++chars;
      continue;
    }
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return "is not valid UTF-8";
    std::uint32_t cp = len == 1 ? c : c & (0x7fu >> len);
    for (size_t k = 1; k < len; ++k) {
      const auto next = static_cast<unsigned char>(s[i + k]);
      if ((next >> 6) != 2) return "is not valid UTF-8";
      cp = (cp << 6) | (next & 0x3fu);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8 either (and JSON
    // writers refuse them); C1 controls steer terminals like C0 ones.
    static constexpr std::uint32_t kLeast[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kLeast[len] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return "is not valid UTF-8";
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return "contains a control character";
    i += len;
    ++chars;
  }
  if (chars > max_chars) return "is longer than " + std::to_string(max_chars) + " characters";
  return std::nullopt;
}

// A plausible calendar date: real, ISO-8601, between 1900 and 2100.
std::optional<std::string> date_problem(const std::string& s) {
  auto d = parse_date(s);
  if (!d) return "must be a date as YYYY-MM-DD, got '" + s + "'";
  if (d->year < 1900 || d->year > 2100) return "year " + std::to_string(d->year) + " is not plausible";
  return std::nullopt;
}

namespace {

// How one replicated column is checked; looked up by position, since the hub checks every cell
// it receives (a catch-up is millions).
struct CellRule {
  enum Kind { kUnknown, kText, kEnum, kDate, kInt, kIin } kind = kUnknown;
  bool nullable = false;
  std::size_t max = 0;                              // kText: characters
  std::int64_t lo = 0, hi = 0;                      // kInt
  const std::vector<std::string>* allowed = nullptr;  // kEnum
};

CellRule rule_for(const std::string& table, const std::string& column) {
  auto text = [](bool nullable, std::size_t max) { return CellRule{CellRule::kText, nullable, max}; };
  auto one_of_these = [](const std::vector<std::string>& allowed, bool nullable) {
    return CellRule{CellRule::kEnum, nullable, 0, 0, 0, &allowed};
  };
  auto date = [](bool nullable) { return CellRule{CellRule::kDate, nullable}; };
  auto whole = [](std::int64_t lo, std::int64_t hi) { return CellRule{CellRule::kInt, false, 0, lo, hi}; };
  static const std::vector<std::string> sexes = {"F", "M"};
  static const std::vector<std::string> sources = {"center", "official"};
  if (column == "center_id") return text(false, 20);
  if (column == "deleted") return whole(0, 1);
  if (column == "trainee_id") return text(false, 64);
  if (table == "trainee") {
    if (column == "iin") return CellRule{CellRule::kIin};
    if (column == "surname" || column == "given_name") return text(false, 100);
    if (column == "patronymic") return text(true, 100);
    if (column == "birth_date") return date(false);
    if (column == "sex") return one_of_these(sexes, false);
    if (column == "phone") return text(true, 20);
    if (column == "sector") return one_of_these(kSectors, true);
    if (column == "status") return one_of_these(kTraineeStatuses, false);
  } else if (table == "korean_course") {
    if (column == "hours") return whole(0, 5000);
    if (column == "level") return text(true, 40);
  } else if (table == "test_result") {
    if (column == "kind") return one_of_these(kTestKinds, false);
    if (column == "test_date") return date(false);
    if (column == "score") return whole(0, 300);
    if (column == "source") return one_of_these(sources, false);
  } else if (table == "medical_check") {
    if (column == "check_date") return date(false);
    if (column == "result") return one_of_these(kMedicalResults, false);
    if (column == "valid_until") return date(true);
    if (column == "clinic") return text(true, 200);
  } else if (table == "document_check") {
    if (column == "kind") return one_of_these(kDocumentKinds, false);
    if (column == "status") return one_of_these(kDocumentStatuses, false);
    if (column == "number") return text(true, 50);
    if (column == "issued" || column == "expires") return date(true);
    if (column == "note") return text(true, 500);
  } else if (table == "center") {
    if (column == "name") return text(true, 200);
    if (column == "region") return one_of_these(kRegions, false);
  } else if (table == "rules") {
    if (column == "value") return text(false, 40);
  }
  return {};
}

// rules[table][column], by position in replicated_tables().
const std::vector<std::vector<CellRule>>& cell_rules() {
  static const std::vector<std::vector<CellRule>> rules = [] {
    std::vector<std::vector<CellRule>> out;
    for (const auto& t : replicated_tables()) {
      out.emplace_back();
      for (const auto& c : t.columns) out.back().push_back(rule_for(t.name, c.name));
    }
    return out;
  }();
  return rules;
}

}  // namespace

Status validate_cell(int table, int column, const Value& v) {
  const auto& tables = replicated_tables();
  const TableDef& def = tables[static_cast<std::size_t>(table)];
  const CellRule& rule = cell_rules()[static_cast<std::size_t>(table)][static_cast<std::size_t>(column)];
  auto bad = [&](const std::string& why) {
    return Status::InvalidInput(def.name + "." + def.columns[static_cast<std::size_t>(column)].name + ": " + why);
  };
  const auto* text = std::get_if<std::string>(&v);
  switch (rule.kind) {
    case CellRule::kText:
      if (is_null(v)) return rule.nullable ? Status::Ok() : bad("is required");
      if (!text) return bad("must be text");
      if (!rule.nullable && text->empty()) return bad("is required");
      if (text_problem(*text, rule.max))
        return bad("is not clean UTF-8 text of at most " + std::to_string(rule.max) + " characters");
      return Status::Ok();
    case CellRule::kEnum:
      if (is_null(v) && rule.nullable) return Status::Ok();
      if (!text || !is_one_of(*text, *rule.allowed)) return bad("must be one of " + list_of(*rule.allowed));
      return Status::Ok();
    case CellRule::kDate:
      if (is_null(v) && rule.nullable) return Status::Ok();
      if (!text || date_problem(*text)) return bad("must be a plausible date as YYYY-MM-DD");
      return Status::Ok();
    case CellRule::kInt: {
      const auto* integer = std::get_if<std::int64_t>(&v);
      if (!integer || *integer < rule.lo || *integer > rule.hi)
        return bad("must be a whole number from " + std::to_string(rule.lo) + " to " + std::to_string(rule.hi));
      return Status::Ok();
    }
    case CellRule::kIin: {
      if (!text) return bad("must be text");
      Status s = validate_iin(*text);
      return s.ok() ? s : bad(s.message().substr(s.message().find(": ") + 2));
    }
    case CellRule::kUnknown:
      break;
  }
  return bad("is not a known field");
}

Status validate_cell(const std::string& table, const std::string& column, const Value& v) {
  const int t = table_index(table);
  const int c = t < 0 ? -1 : replicated_tables()[static_cast<std::size_t>(t)].column_index(column);
  if (c < 0) return Status::InvalidInput(table + "." + column + ": is not a known field");
  return validate_cell(t, c, v);
}

std::optional<ScoreRange> score_range(const std::string& kind) {
  if (kind == "eps-topik" || kind == "mock") return ScoreRange{0, 200};
  if (kind == "topik") return ScoreRange{0, 300};
  if (kind == "skills") return ScoreRange{0, 100};
  return std::nullopt;
}

Status validate_operator(const std::string& op) {
  if (auto p = text_problem(op, 64)) return Status::InvalidInput("operator: " + *p);
  return Status::Ok();
}

namespace {

// The rules across one table's columns, by column position (-1: the table has no such column).
struct TableRowRules {
  std::vector<int> required;     // a new row must have these
  std::vector<int> past_dates;   // events that have happened: not later than RowRules::latest_date
  int iin = -1, birth_date = -1, sex = -1;              // trainee
  int kind = -1, score = -1;                            // test_result
  int check_date = -1, result = -1, valid_until = -1;   // medical_check
  int issued = -1, expires = -1;                        // document_check
};

const std::vector<TableRowRules>& row_rules() {
  static const std::vector<TableRowRules> rules = [] {
    std::vector<TableRowRules> out;
    for (const auto& t : replicated_tables()) {
      auto at = [&](const char* c) { return t.column_index(c); };
      auto all = [&](std::initializer_list<const char*> names) {
        std::vector<int> v;
        for (const char* n : names) v.push_back(at(n));
        return v;
      };
      TableRowRules r;
      if (t.name == "trainee") {
        r.required = all({"iin", "surname", "given_name", "birth_date", "sex", "status"});
        r.past_dates = all({"birth_date"});
        r.iin = at("iin"), r.birth_date = at("birth_date"), r.sex = at("sex");
      } else if (t.name == "korean_course") {
        r.required = all({"trainee_id", "hours"});
      } else if (t.name == "test_result") {
        r.required = all({"trainee_id", "kind", "test_date", "score", "source"});
        r.past_dates = all({"test_date"});
        r.kind = at("kind"), r.score = at("score");
      } else if (t.name == "medical_check") {
        r.required = all({"trainee_id", "check_date", "result"});
        r.past_dates = all({"check_date"});
        r.check_date = at("check_date"), r.result = at("result"), r.valid_until = at("valid_until");
      } else if (t.name == "document_check") {
        r.required = all({"trainee_id", "kind", "status"});
        r.past_dates = all({"issued"});
        r.issued = at("issued"), r.expires = at("expires");
      } else if (t.name == "center") {
        r.required = all({"region"});
      } else if (t.name == "rules") {
        r.required = all({"value"});
      }
      out.push_back(std::move(r));
    }
    return out;
  }();
  return rules;
}

}  // namespace

Status check_row(int table, const RowValues& row, const RowRules& rules) {
  const TableDef& def = replicated_tables()[static_cast<std::size_t>(table)];
  const TableRowRules& r = row_rules()[static_cast<std::size_t>(table)];
  auto value = [&](int column) -> const Value* {
    const Value* v = column < 0 ? nullptr : row[static_cast<std::size_t>(column)];
    return v && !is_null(*v) ? v : nullptr;
  };
  auto text = [&](int column) -> const std::string* {
    const Value* v = value(column);
    return v ? std::get_if<std::string>(v) : nullptr;
  };
  auto date = [&](int column) -> std::optional<Date> {
    const std::string* t = text(column);
    return t ? parse_date(*t) : std::nullopt;
  };
  auto wrote = [&](std::initializer_list<int> columns) {
    for (int c : columns)
      if (c >= 0 && (rules.written >> c) & 1) return true;
    return false;
  };
  auto bad = [&](int column, const std::string& why) {
    return Status::InvalidInput(def.name + "." + def.columns[static_cast<std::size_t>(column)].name + ": " + why);
  };
  if (rules.is_new)
    for (int c : r.required)
      if (!value(c)) return bad(c, "is required for a new record");
  for (int c : r.past_dates)
    if (auto d = date(c); d && wrote({c}) && *d > rules.latest_date) return bad(c, "is in the future");
  if (r.iin >= 0 && wrote({r.iin, r.birth_date, r.sex})) {
    const std::string *iin = text(r.iin), *sex = text(r.sex);
    auto birth = date(r.birth_date);
    if (iin && sex && birth && sex->size() == 1 && !check_iin_matches(*iin, *birth, (*sex)[0]).ok())
      return bad(r.iin, "digits 1-7 do not agree with birth_date and sex");
  }
  if (r.score >= 0 && wrote({r.kind, r.score})) {
    const std::string* kind = text(r.kind);
    const auto* score = value(r.score) ? std::get_if<std::int64_t>(value(r.score)) : nullptr;
    if (auto range = kind ? score_range(*kind) : std::nullopt; range && score && (*score < range->lo || *score > range->hi))
      return bad(r.score, *kind + " scores run from " + std::to_string(range->lo) + " to " + std::to_string(range->hi));
  }
  if (r.result >= 0 && wrote({r.check_date, r.result, r.valid_until})) {
    auto examined = date(r.check_date), valid_until = date(r.valid_until);
    if (examined && valid_until && *valid_until < *examined) return bad(r.valid_until, "is before check_date");
    const std::string* result = text(r.result);
    if (result && *result == "fit" && !value(r.valid_until)) return bad(r.valid_until, "is required when the result is fit");
  }
  if (r.expires >= 0 && wrote({r.issued, r.expires})) {
    auto issued = date(r.issued), expires = date(r.expires);
    if (issued && expires && *expires <= *issued) return bad(r.expires, "is not after issued");
  }
  return Status::Ok();
}

std::optional<std::string> center_id_problem(std::string_view id) {
  bool shape = id.size() >= 3 && id.size() <= 20 && id[0] >= 'A' && id[0] <= 'Z';
  for (char c : id) shape = shape && ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-');
  if (!shape) return "must be 3-20 capital letters, digits and '-', starting with a letter (like ALM-014)";
  if (id == "HUB") return "must not be HUB, the hub's own name";
  return std::nullopt;
}

}  // namespace epsync
