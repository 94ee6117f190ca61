#include "records/records.h"

#include <algorithm>

#include "records/iin.h"
#include "records/local_input.h"
#include "records/regions.h"
#include "records/model.h"
#include "storage/schema.h"
#include "util/i18n.h"

namespace epsync {

namespace {

Status invalid(const std::string& field, const std::string& reason) {
  return Status::InvalidInput(field + ": " + reason);
}

// Why a date (already normalised to ISO where it could be) is refused, or "": either form named.
std::string past_date_problem(const std::string& value, const Date& today) {
  if (auto p = date_problem(value)) return *p;
  if (*parse_input_date(value) > today) return trf("{} is in the future", display_date(value));
  return {};
}

Status check_past_date(const char* column, FieldStyle style, const std::string& value, const Date& today) {
  std::string why = past_date_problem(value, today);
  return why.empty() ? Status::Ok() : invalid(field_name(column, style), why);
}

Status check_any_date(const char* column, FieldStyle style, const std::optional<std::string>& value) {
  if (!value) return Status::Ok();
  if (auto p = date_problem(*value)) return invalid(field_name(column, style), *p);
  return Status::Ok();
}

}  // namespace

Trainee trainee_from_row(const Stmt& st) {
  Trainee t;
  t.id = st.column_text(0);
  t.center_id = st.column_text(1);
  t.iin = st.column_text(2);
  t.surname = st.column_text(3);
  t.given_name = st.column_text(4);
  t.patronymic = st.column_text(5);
  t.birth_date = st.column_text(6);
  t.sex = st.column_text(7);
  t.phone = st.column_text(8);
  t.sector = st.column_text(9);
  t.status = st.column_text(10);
  t.deleted = st.column_int(11) != 0;
  return t;
}

const char* const kTraineeColumns =
    "id, center_id, iin, surname, given_name, patronymic, birth_date, sex, phone, sector, status, "
    "deleted";

namespace {

Columns columns_of(const TraineeFields& f) {
  Columns c;
  auto put = [&](const char* name, const std::optional<std::string>& v) {
    if (!v) return;
    // An empty optional field clears it.
    c.emplace_back(name, v->empty() ? Value{} : Value{*v});
  };
  put("iin", f.iin);
  put("surname", f.surname);
  put("given_name", f.given_name);
  put("patronymic", f.patronymic);
  put("birth_date", f.birth_date);
  put("sex", f.sex);
  put("phone", f.phone);
  put("sector", f.sector);
  put("status", f.status);
  return c;
}

}  // namespace

namespace {

// The checks of one trainee's fields (normalised), their failures as "field: reason" with each field
// named as the caller names it.
struct TraineeCheck {
  const TraineeFields& f;
  const Trainee* existing;  // the stored trainee for an update
  FieldStyle style;
  std::vector<std::string> errors;

  std::string name(const char* column) const { return field_name(column, style); }
  void fail(const char* column, const std::string& reason) { errors.push_back(name(column) + ": " + reason); }

  // Whether the field is given, to be checked further; a missing required field or a cleared one fails.
  bool given(const char* column, const std::optional<std::string>& v) {
    if (!existing && (!v || v->empty())) {
      fail(column, tr("is required"));
      return false;
    }
    if (existing && v && v->empty()) {
      fail(column, tr("cannot be cleared"));
      return false;
    }
    return v.has_value();
  }

  void names() {
    for (auto [column, value, required] :
         {std::tuple{"surname", &f.surname, true}, std::tuple{"given_name", &f.given_name, true},
          std::tuple{"patronymic", &f.patronymic, false}}) {
      if (required ? !given(column, *value) : !value->has_value()) continue;
      if (auto p = text_problem(**value, 100)) fail(column, *p);
    }
  }

  // Birth date, sex and IIN, and then the IIN against the other two (stored values standing in for
  // what an update does not give).
  void identity(const Date& today) {
    bool birth_ok = false, sex_ok = false;
    if (given("birth_date", f.birth_date)) {
      std::string why = past_date_problem(*f.birth_date, today);
      birth_ok = why.empty();
      if (!birth_ok) fail("birth_date", why);
    }
    if (given("sex", f.sex)) {
      sex_ok = *f.sex == "F" || *f.sex == "M";
      if (!sex_ok) errors.push_back(enum_refusal(Enum::kSex, name("sex"), *f.sex));
    }
    if (given("iin", f.iin))
      if (auto why = iin_problem(*f.iin)) fail("iin", *why);
    if (!errors.empty() || !(f.iin || f.birth_date || f.sex)) return;
    std::string iin = f.iin ? *f.iin : existing ? existing->iin : "";
    std::string birth = f.birth_date ? *f.birth_date : existing ? existing->birth_date : "";
    std::string sex = f.sex ? *f.sex : existing ? existing->sex : "";
    auto b = parse_date(birth);
    if (b && sex.size() == 1 && (birth_ok || !f.birth_date) && (sex_ok || !f.sex)) {
      Status s = check_iin_matches(iin, *b, sex[0], name("birth_date"), name("sex"), name("iin"));
      if (!s.ok()) errors.push_back(s.message());
    }
  }

  void rest() {
    if (f.phone && !f.phone->empty()) {
      const std::string& p = *f.phone;
      bool ok = p.size() >= 5 && p.size() <= 20 && std::all_of(p.begin(), p.end(), [](char c) {
                  return (c >= '0' && c <= '9') || c == '+' || c == ' ' || c == '-' || c == '(' || c == ')';
                });
      if (!ok) fail("phone", tr("must be 5-20 characters of digits, spaces, + - ( )"));
    }
    if (f.sector && !f.sector->empty() && !is_one_of(*f.sector, kSectors))
      errors.push_back(enum_refusal(Enum::kSector, name("sector"), *f.sector));
    if (f.status && !is_one_of(*f.status, kTraineeStatuses))
      errors.push_back(enum_refusal(Enum::kTraineeStatus, name("status"), *f.status));
  }
};

}  // namespace

std::vector<std::string> validate_trainee(const TraineeFields& given, const Trainee* existing,
                                          FieldStyle style, const Date& today) {
  const TraineeFields f = normalised(given);
  TraineeCheck check{f, existing, style, {}};
  check.names();
  check.identity(today);
  check.rest();
  return std::move(check.errors);
}

Result<std::optional<std::string>> active_trainee_with_iin(Store& store, const std::string& center,
                                                           const std::string& iin) {
  auto st = store.db().cached(
      "SELECT id FROM trainee WHERE iin = ? AND center_id = ? AND status = 'active' AND deleted = 0 "
      "LIMIT 1");
  if (!st.ok()) return st.status();
  (*st)->bind(1, iin).bind(2, center);
  auto r = (*st)->step();
  if (!r.ok()) return r.status();
  std::optional<std::string> out;
  if (r.value()) out = (*st)->column_text(0);
  (*st)->reset();
  return out;
}

// Every write passes the row rules the hub applies to what it receives (storage/row_rules.h), as
// the row will be after it: what a registrar can enter here, the hub accepts.
Status Records::check_write(const std::string& table, const std::string& row_id, const Columns& cols, bool is_new) {
  const int t = table_index(table);
  if (t < 0) return Status::InvalidInput(trf("unknown table '{}'", table));
  const TableDef& def = replicated_tables()[static_cast<std::size_t>(t)];
  std::optional<std::vector<Value>> stored;
  if (!is_new) {
    auto found = stored_row(w_.store_txn().store(), t, row_id);
    if (!found.ok()) return found.status();
    stored = std::move(found).value();
  }
  RowValues row(def.columns.size(), nullptr);
  for (std::size_t i = 0; stored && i < stored->size() && i < row.size(); ++i) row[i] = &(*stored)[i];
  const Value owner{center_}, live{std::int64_t{0}};
  if (is_new) {
    row[static_cast<std::size_t>(def.column_index(kOwnerColumn))] = &owner;
    row[static_cast<std::size_t>(def.column_index(kDeletedColumn))] = &live;
  }
  std::uint64_t written = 0;
  for (const auto& [name, value] : cols) {
    const int c = def.column_index(name);
    if (c < 0) return Status::InvalidInput(trf("unknown column '{}' in table {}", name, table));
    EPSYNC_RETURN_IF_ERROR(validate_cell(t, c, value));
    row[static_cast<std::size_t>(c)] = &value;
    written |= std::uint64_t{1} << c;
  }
  return check_row(t, row, RowRules{is_new, today_, is_new ? ~std::uint64_t{0} : written});
}

Status Records::insert(const std::string& table, const std::string& row_id, const Columns& cols) {
  EPSYNC_RETURN_IF_ERROR(check_write(table, row_id, cols, true));
  return w_.insert(table, row_id, center_, cols);
}

Status Records::update(const std::string& table, const std::string& row_id, const Columns& cols) {
  EPSYNC_RETURN_IF_ERROR(check_write(table, row_id, cols, false));
  return w_.update(table, row_id, cols);
}

Result<Trainee> Records::trainee(const std::string& ref) {
  auto t = find_trainee(w_.store_txn().store(), ref);
  if (!t.ok()) return t.status();
  if (t->center_id != center_) return Status::NotFound("trainee: " + trf("{} is enrolled at another centre", ref));
  return t;
}

namespace {

Status already_enrolled(FieldStyle style, const std::string& other_id) {
  return invalid(field_name("iin", style),
                 trf("an active trainee with this IIN is already enrolled here (id {})", other_id));
}

}  // namespace

Result<std::string> Records::add_trainee(const TraineeFields& given, FieldStyle style) {
  TraineeFields f = normalised(given);
  if (!f.status) f.status = "active";
  auto errors = validate_trainee(f, nullptr, style, today_);
  if (!errors.empty()) return Status::InvalidInput(errors.front());
  if (*f.status == "active") {
    auto dup = active_trainee_with_iin(w_.store_txn().store(), center_, *f.iin);
    if (!dup.ok()) return dup.status();
    if (dup.value()) return already_enrolled(style, *dup.value());
  }
  std::string id = new_row_id();
  EPSYNC_RETURN_IF_ERROR(insert("trainee", id, columns_of(f)));
  return id;
}

Result<std::string> Records::update_trainee(const std::string& ref, const TraineeFields& given, FieldStyle style) {
  const TraineeFields f = normalised(given);
  auto t = trainee(ref);
  if (!t.ok()) return t.status();
  auto errors = validate_trainee(f, &t.value(), style, today_);
  if (!errors.empty()) return Status::InvalidInput(errors.front());
  std::string iin = f.iin ? *f.iin : t->iin;
  std::string status = f.status ? *f.status : t->status;
  if (status == "active" && (iin != t->iin || t->status != "active")) {
    auto dup = active_trainee_with_iin(w_.store_txn().store(), center_, iin);
    if (!dup.ok()) return dup.status();
    if (dup.value() && *dup.value() != t->id) return already_enrolled(style, *dup.value());
  }
  EPSYNC_RETURN_IF_ERROR(update("trainee", t->id, columns_of(f)));
  return t->id;
}

Result<std::string> Records::remove_trainee(const std::string& ref) {
  auto t = trainee(ref);
  if (!t.ok()) return t.status();
  EPSYNC_RETURN_IF_ERROR(w_.remove("trainee", t->id));
  return t->id;
}

Result<std::string> Records::record_korean(const std::string& ref, const KoreanInput& in, FieldStyle style) {
  if (in.hours < 0 || in.hours > 5000) return invalid(field_name("hours", style), trf("must be between {} and {}", 0, 5000));
  if (in.level)
    if (auto p = text_problem(*in.level, 40)) return invalid(field_name("level", style), *p);
  auto t = trainee(ref);
  if (!t.ok()) return t.status();
  // One course record per trainee, updated as hours accumulate.
  auto st = w_.store_txn().db().cached(
      "SELECT id FROM korean_course WHERE trainee_id = ? AND deleted = 0 ORDER BY id LIMIT 1");
  if (!st.ok()) return st.status();
  (*st)->bind(1, t->id);
  auto r = (*st)->step();
  if (!r.ok()) return r.status();
  std::optional<std::string> existing;
  if (r.value()) existing = (*st)->column_text(0);
  (*st)->reset();
  Columns cols = {{"hours", in.hours}};
  if (in.level) cols.emplace_back("level", *in.level);
  if (existing) {
    EPSYNC_RETURN_IF_ERROR(update("korean_course", *existing, cols));
    return *existing;
  }
  cols.emplace_back("trainee_id", t->id);
  std::string id = new_row_id();
  EPSYNC_RETURN_IF_ERROR(insert("korean_course", id, cols));
  return id;
}

Result<std::string> Records::record_test(const std::string& ref, const TestInput& given, FieldStyle style) {
  const TestInput in = normalised(given);
  if (!is_one_of(in.kind, kTestKinds)) return Status::InvalidInput(enum_refusal(Enum::kTestKind, field_name("kind", style), in.kind));
  EPSYNC_RETURN_IF_ERROR(check_past_date("date", style, in.date, today_));
  const ScoreRange range = score_range(in.kind).value();  // the kind is one of kTestKinds
  if (in.score < range.lo || in.score > range.hi)
    return invalid(field_name("score", style), trf("{} scores run from {} to {}, got {}", display_word(Enum::kTestKind, in.kind),
                                                   range.lo, range.hi, in.score));
  if (in.source != "center" && in.source != "official") return invalid("source", tr("must be center or official"));
  auto t = trainee(ref);
  if (!t.ok()) return t.status();
  std::string id = new_row_id();
  EPSYNC_RETURN_IF_ERROR(insert("test_result", id,
                                   {{"trainee_id", t->id}, {"kind", in.kind}, {"test_date", in.date},
                                    {"score", in.score}, {"source", in.source}}));
  return id;
}

Result<std::string> Records::record_medical(const std::string& ref, const MedicalInput& given, FieldStyle style) {
  const MedicalInput in = normalised(given);
  EPSYNC_RETURN_IF_ERROR(check_past_date("date", style, in.date, today_));
  if (!is_one_of(in.result, kMedicalResults))
    return Status::InvalidInput(enum_refusal(Enum::kMedicalResult, field_name("result", style), in.result));
  EPSYNC_RETURN_IF_ERROR(check_any_date("valid_until", style, in.valid_until));
  const std::string valid_until = field_name("valid_until", style);
  if (in.valid_until && *parse_date(*in.valid_until) < *parse_date(in.date))
    return invalid(valid_until, trf("{} is before the examination date {}", display_date(*in.valid_until), display_date(in.date)));
  if (in.result == "fit" && !in.valid_until) return invalid(valid_until, tr("is required when the result is fit"));
  if (in.clinic)
    if (auto p = text_problem(*in.clinic, 200)) return invalid(field_name("clinic", style), *p);
  auto t = trainee(ref);
  if (!t.ok()) return t.status();
  Columns cols = {{"trainee_id", t->id}, {"check_date", in.date}, {"result", in.result}};
  if (in.valid_until) cols.emplace_back("valid_until", *in.valid_until);
  if (in.clinic) cols.emplace_back("clinic", *in.clinic);
  std::string id = new_row_id();
  EPSYNC_RETURN_IF_ERROR(insert("medical_check", id, cols));
  return id;
}

namespace {

// The fields of a document check that need no store, in the order a registrar reads the refusal.
Status check_document(const DocumentInput& in, FieldStyle style, const Date& today) {
  if (!is_one_of(in.kind, kDocumentKinds))
    return Status::InvalidInput(enum_refusal(Enum::kDocumentKind, field_name("kind", style), in.kind));
  if (!is_one_of(in.status, kDocumentStatuses))
    return Status::InvalidInput(enum_refusal(Enum::kDocumentStatus, field_name("status", style), in.status));
  if (in.issued) EPSYNC_RETURN_IF_ERROR(check_past_date("issued", style, *in.issued, today));
  EPSYNC_RETURN_IF_ERROR(check_any_date("expires", style, in.expires));
  auto issued = in.issued ? parse_date(*in.issued) : std::nullopt, expires = in.expires ? parse_date(*in.expires) : std::nullopt;
  if (issued && expires && *expires <= *issued)
    return invalid(field_name("expires", style),
                   trf("{} is not after the issue date {}", display_date(*expires), display_date(*issued)));
  if (in.number)
    if (auto p = text_problem(*in.number, 50)) return invalid(field_name("number", style), *p);
  if (in.note)
    if (auto p = text_problem(*in.note, 500)) return invalid(field_name("note", style), *p);
  return Status::Ok();
}

}  // namespace

Result<std::string> Records::record_document(const std::string& ref, const DocumentInput& given, FieldStyle style) {
  const DocumentInput in = normalised(given);
  EPSYNC_RETURN_IF_ERROR(check_document(in, style, today_));
  auto t = trainee(ref);
  if (!t.ok()) return t.status();
  // One record per document kind, updated as the document moves from missing to verified.
  auto st = w_.store_txn().db().cached(
      "SELECT id FROM document_check WHERE trainee_id = ? AND kind = ? AND deleted = 0 ORDER BY id LIMIT 1");
  if (!st.ok()) return st.status();
  (*st)->bind(1, t->id).bind(2, in.kind);
  auto r = (*st)->step();
  if (!r.ok()) return r.status();
  std::optional<std::string> existing;
  if (r.value()) existing = (*st)->column_text(0);
  (*st)->reset();
  Columns cols = {{"status", in.status}};
  auto opt = [&](const char* name, const std::optional<std::string>& v) {
    if (v) cols.emplace_back(name, v->empty() ? Value{} : Value{*v});
  };
  opt("number", in.number);
  opt("issued", in.issued);
  opt("expires", in.expires);
  opt("note", in.note);
  if (existing) {
    EPSYNC_RETURN_IF_ERROR(update("document_check", *existing, cols));
    return *existing;
  }
  cols.emplace_back("trainee_id", t->id);
  cols.emplace_back("kind", in.kind);
  std::string id = new_row_id();
  EPSYNC_RETURN_IF_ERROR(insert("document_check", id, cols));
  return id;
}

}  // namespace epsync
