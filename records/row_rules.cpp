#include "records/row_rules.h"

#include <algorithm>
#include <cstdint>

#include "records/iin.h"
#include "records/regions.h"
#include "records/model.h"
#include "storage/schema.h"
#include "util/i18n.h"

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
    if (len == 0 || i + len > s.size()) return tr("is not valid UTF-8");
    std::uint32_t cp = len == 1 ? c : c & (0x7fu >> len);
    for (size_t k = 1; k < len; ++k) {
      const auto next = static_cast<unsigned char>(s[i + k]);
      if ((next >> 6) != 2) return tr("is not valid UTF-8");
      cp = (cp << 6) | (next & 0x3fu);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8 either (and JSON
    // writers refuse them); C1 controls steer terminals like C0 ones.
    static constexpr std::uint32_t kLeast[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kLeast[len] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return tr("is not valid UTF-8");
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return tr("contains a control character");
    i += len;
    ++chars;
  }
  if (chars > max_chars) return trf("is longer than {} characters", max_chars);
  return std::nullopt;
}

namespace {
bool plausible_year(const Date& d) { return d.year >= 1900 && d.year <= 2100; }
}  // namespace

std::optional<std::string> date_problem(const std::string& s) {
  auto d = parse_input_date(s);
  if (!d) return trf("must be a date as DD.MM.YYYY or YYYY-MM-DD, got '{}'", s);
  if (!plausible_year(*d)) return trf("year {} is not plausible", d->year);
  return std::nullopt;
}

Status validate_cell(int table, int column, const Value& v) {
  const auto& tables = replicated_tables();
  const TableDef& def = tables[static_cast<std::size_t>(table)];
  const CellRule& rule = table_rules(table).columns[static_cast<std::size_t>(column)].cell;
  auto bad = [&](const std::string& why) {
    return Status::InvalidInput(def.name + "." + def.columns[static_cast<std::size_t>(column)].name + ": " + why);
  };
  const auto* text = std::get_if<std::string>(&v);
  switch (rule.kind) {
    case CellRule::kText:
      if (is_null(v)) return rule.nullable ? Status::Ok() : bad(tr("is required"));
      if (!text) return bad(tr("must be text"));
      if (!rule.nullable && text->empty()) return bad(tr("is required"));
      if (text_problem(*text, rule.max))
        return bad(trf("is not clean UTF-8 text of at most {} characters", rule.max));
      return Status::Ok();
    case CellRule::kEnum:
      if (is_null(v) && rule.nullable) return Status::Ok();
      if (!text || !is_one_of(*text, *rule.allowed)) return bad(trf("must be one of {}", list_of(*rule.allowed)));
      return Status::Ok();
    case CellRule::kDate:
      if (is_null(v) && rule.nullable) return Status::Ok();
      // Stored dates are ISO only: the writers turn DD.MM.YYYY into it before they get here.
      if (auto d = text ? parse_date(*text) : std::nullopt; !d || !plausible_year(*d))
        return bad(tr("must be a plausible date as YYYY-MM-DD"));
      return Status::Ok();
    case CellRule::kInt: {
      const auto* integer = std::get_if<std::int64_t>(&v);
      if (!integer || *integer < rule.lo || *integer > rule.hi)
        return bad(trf("must be a whole number from {} to {}", rule.lo, rule.hi));
      return Status::Ok();
    }
    case CellRule::kIin: {
      if (!text) return bad(tr("must be text"));
      if (auto why = iin_problem(*text)) return bad(*why);
      return Status::Ok();
    }
    case CellRule::kUnknown:
      break;
  }
  return bad(tr("is not a known field"));
}

Status validate_cell(const std::string& table, const std::string& column, const Value& v) {
  const int t = table_index(table);
  const int c = t < 0 ? -1 : replicated_tables()[static_cast<std::size_t>(t)].column_index(column);
  if (c < 0) return Status::InvalidInput(table + "." + column + ": " + tr("is not a known field"));
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

const Value* RowCheck::value(int column) const {
  const Value* v = column < 0 ? nullptr : row[static_cast<std::size_t>(column)];
  return v && !is_null(*v) ? v : nullptr;
}

const std::string* RowCheck::text(int column) const {
  const Value* v = value(column);
  return v ? std::get_if<std::string>(v) : nullptr;
}

std::optional<Date> RowCheck::date(int column) const {
  const std::string* t = text(column);
  return t ? parse_date(*t) : std::nullopt;
}

Status RowCheck::bad(int column, const std::string& why) const {
  return Status::InvalidInput(def.name + "." + def.columns[static_cast<std::size_t>(column)].name + ": " + why);
}

Status check_iin_against_birth(const RowCheck& row, const std::vector<int>& c) {
  const int iin_at = c[0], birth_at = c[1], sex_at = c[2];
  const std::string *iin = row.text(iin_at), *sex = row.text(sex_at);
  auto birth = row.date(birth_at);
  if (iin && sex && birth && sex->size() == 1 && !check_iin_matches(*iin, *birth, (*sex)[0]).ok())
    return row.bad(iin_at, tr("digits 1-7 do not agree with birth_date and sex"));
  return Status::Ok();
}

Status check_score_by_kind(const RowCheck& row, const std::vector<int>& c) {
  const int kind_at = c[0], score_at = c[1];
  const std::string* kind = row.text(kind_at);
  const auto* score = row.value(score_at) ? std::get_if<std::int64_t>(row.value(score_at)) : nullptr;
  if (auto range = kind ? score_range(*kind) : std::nullopt; range && score && (*score < range->lo || *score > range->hi))
    return row.bad(score_at, trf("{} scores run from {} to {}", *kind, range->lo, range->hi));
  return Status::Ok();
}

Status check_medical_dates(const RowCheck& row, const std::vector<int>& c) {
  const int examined_at = c[0], result_at = c[1], valid_until_at = c[2];
  auto examined = row.date(examined_at), valid_until = row.date(valid_until_at);
  if (examined && valid_until && *valid_until < *examined) return row.bad(valid_until_at, tr("is before check_date"));
  const std::string* result = row.text(result_at);
  if (result && *result == "fit" && !row.value(valid_until_at))
    return row.bad(valid_until_at, tr("is required when the result is fit"));
  return Status::Ok();
}

Status check_document_dates(const RowCheck& row, const std::vector<int>& c) {
  const int issued_at = c[0], expires_at = c[1];
  auto issued = row.date(issued_at), expires = row.date(expires_at);
  if (issued && expires && *expires <= *issued) return row.bad(expires_at, tr("is not after issued"));
  return Status::Ok();
}

Status check_row(int table, const RowValues& row, const RowRules& rules) {
  const RowCheck check{replicated_tables()[static_cast<std::size_t>(table)], row};
  const TableRules& r = table_rules(table);
  auto wrote = [&](const std::vector<int>& columns) {
    for (int c : columns)
      if (c >= 0 && (rules.written >> c) & 1) return true;
    return false;
  };
  const auto columns = static_cast<int>(r.columns.size());
  if (rules.is_new)
    for (int c = 0; c < columns; ++c)
      if (r.columns[static_cast<std::size_t>(c)].required && !check.value(c)) return check.bad(c, tr("is required for a new record"));
  for (int c = 0; c < columns; ++c) {
    if (!r.columns[static_cast<std::size_t>(c)].past_date || !((rules.written >> c) & 1)) continue;
    if (auto d = check.date(c); d && *d > rules.latest_date) return check.bad(c, tr("is in the future"));
  }
  for (const auto& across : r.across)
    if (wrote(across.columns)) EPSYNC_RETURN_IF_ERROR(across.check(check, across.columns));
  return Status::Ok();
}

std::optional<std::string> center_id_problem(std::string_view id) {
  bool shape = id.size() >= 3 && id.size() <= 20 && id[0] >= 'A' && id[0] <= 'Z';
  for (char c : id) shape = shape && ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-');
  if (!shape) return tr("must be 3-20 capital letters, digits and '-', starting with a letter (like ALM-014)");
  if (id == "HUB") return tr("must not be HUB, the hub's own name");
  return std::nullopt;
}

}  // namespace epsync
