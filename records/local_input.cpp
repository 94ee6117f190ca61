#include "records/local_input.h"

#include <algorithm>

#include "records/date.h"

namespace epsync {

namespace {

void normalise_date(std::optional<std::string>& v) {
  if (v) *v = normalised_date(*v);
}

void normalise_word(Enum e, std::optional<std::string>& v) {
  if (v) *v = normalised_word(e, *v);
}

}  // namespace

std::string normalised_date(const std::string& text) {
  const auto first = text.find_first_not_of(' ');
  if (first == std::string::npos) return text;
  const auto last = text.find_last_not_of(' ');
  auto d = parse_input_date(std::string_view(text).substr(first, last - first + 1));
  return d ? format_date(*d) : text;
}

std::string normalised_word(Enum e, const std::string& text) { return canonical_word(e, text).value_or(text); }

TraineeFields normalised(const TraineeFields& in) {
  TraineeFields f = in;
  normalise_date(f.birth_date);
  normalise_word(Enum::kSex, f.sex);
  normalise_word(Enum::kSector, f.sector);
  normalise_word(Enum::kTraineeStatus, f.status);
  return f;
}

TestInput normalised(const TestInput& in) {
  TestInput out = in;
  out.date = normalised_date(in.date);
  out.kind = normalised_word(Enum::kTestKind, in.kind);
  return out;
}

MedicalInput normalised(const MedicalInput& in) {
  MedicalInput out = in;
  out.date = normalised_date(in.date);
  out.result = normalised_word(Enum::kMedicalResult, in.result);
  normalise_date(out.valid_until);
  return out;
}

DocumentInput normalised(const DocumentInput& in) {
  DocumentInput out = in;
  out.kind = normalised_word(Enum::kDocumentKind, in.kind);
  out.status = normalised_word(Enum::kDocumentStatus, in.status);
  normalise_date(out.issued);
  normalise_date(out.expires);
  return out;
}

std::string field_name(const char* column, FieldStyle style) {
  if (style == FieldStyle::kColumn) return column;
  std::string flag = std::string("--") + column;
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

}  // namespace epsync
