#include "cli/trainee_output.h"

#include <algorithm>
#include <vector>

#include "util/i18n.h"
#include "records/vocabulary.h"
#include "util/printable.h"

namespace epsync::cli {

using json = nlohmann::ordered_json;

namespace {

json opt(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

std::string or_dash(const std::string& s) { return s.empty() ? "-" : printable(s); }
// Stored codes and ISO dates as the reader's language writes them (the code and ISO in English).
std::string word(Enum e, const std::string& code) { return code.empty() ? "-" : printable(display_word(e, code)); }
std::string date(const std::string& iso) { return iso.empty() ? "-" : printable(display_date(iso)); }

std::size_t chars_in(const std::string& text) {
  std::size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

// The labels of `trainee show`, in the reader's language, and the width of their column.
struct Labels {
  std::vector<std::string> texts;
  std::size_t width = 0;

  Labels() {
    for (const char* l : {N_("id"), N_("name"), N_("IIN"), N_("birth date"), N_("sex"), N_("phone"), N_("sector"),
                          N_("status"), N_("Korean course"), N_("Tests"), N_("Medical checks"), N_("Document checks"),
                          N_("Readiness")}) {
      texts.push_back(tr(l));
      width = std::max(width, chars_in(texts.back()) + 2);
    }
  }
  // The label with the space after it up to the column (characters, not bytes: labels are
  // Cyrillic too); a heading of a list of rows gets none.
  std::string operator()(std::size_t i, bool heading = false) const {
    return heading ? texts[i] : texts[i] + std::string(width - chars_in(texts[i]), ' ');
  }
};
enum Label : std::size_t { kId, kName, kIin, kBirth, kSex, kPhone, kSector, kStatus, kKorean, kTests, kMedical, kDocuments, kReadiness };

void put_trainee(std::string& out, const Labels& label, const Trainee& x, const std::string& short_id) {
  out += label(kId) + printable(short_id) + "  (" + printable(x.id) + ")\n";
  out += label(kName) + printable(full_name(x)) + "\n";
  out += label(kIin) + printable(x.iin) + "\n";
  out += label(kBirth) + date(x.birth_date) + "\n";
  out += label(kSex) + word(Enum::kSex, x.sex) + "\n";
  out += label(kPhone) + or_dash(x.phone) + "\n";
  out += label(kSector) + word(Enum::kSector, x.sector) + "\n";
  out += label(kStatus) + word(Enum::kTraineeStatus, x.status) + "\n";
}

void put_records(std::string& out, const Labels& label, const TraineeFile& f) {
  out += label(kKorean);
  if (!f.korean) out += tr("not recorded") + "\n";
  else if (f.korean->level.empty()) out += trn("{} hour", "{} hours", static_cast<long>(f.korean->hours), f.korean->hours) + "\n";
  else
    out += trn("{} hour, level {}", "{} hours, level {}", static_cast<long>(f.korean->hours), f.korean->hours,
               printable(f.korean->level)) + "\n";
  out += label(kTests, !f.tests.empty()) + (f.tests.empty() ? tr("none recorded") : "") + "\n";
  for (const auto& t : f.tests)
    out += "  " + trf("{}  {}  score {}  {}", date(t.date), word(Enum::kTestKind, t.kind), t.score,
                      t.official() ? tr("OFFICIAL result from the hub") : tr("entered at the centre")) + "\n";
  out += label(kMedical, !f.medical.empty()) + (f.medical.empty() ? tr("none recorded") : "") + "\n";
  for (const auto& m : f.medical)
    out += "  " + trf("{}  {}  valid until {}  clinic {}", date(m.date), word(Enum::kMedicalResult, m.result), date(m.valid_until),
                      or_dash(m.clinic)) + "\n";
  out += label(kDocuments, !f.documents.empty()) + (f.documents.empty() ? tr("none recorded") : "") + "\n";
  for (const auto& d : f.documents) {
    out += "  " + trf("{}  {}  number {}  issued {}  expires {}", word(Enum::kDocumentKind, d.kind), word(Enum::kDocumentStatus, d.status), or_dash(d.number),
                      date(d.issued), date(d.expires)) + "\n";
    if (!d.note.empty()) out += "    " + trf("note: {}", printable(d.note)) + "\n";
  }
}

}  // namespace

json trainee_json(const Trainee& t) {
  return json{{"id", t.id},         {"center_id", t.center_id},     {"iin", t.iin},
              {"surname", t.surname}, {"given_name", t.given_name}, {"patronymic", opt(t.patronymic)},
              {"birth_date", t.birth_date}, {"sex", t.sex},         {"phone", opt(t.phone)},
              {"sector", opt(t.sector)}, {"status", t.status}};
}

std::string full_name(const Trainee& t) {
  std::string n = t.surname + " " + t.given_name;
  if (!t.patronymic.empty()) n += " " + t.patronymic;
  return n;
}

json trainee_file_json(const TraineeFile& f) {
  json j = trainee_json(f.trainee);
  j["korean"] = f.korean ? json{{"id", f.korean->id}, {"hours", f.korean->hours}, {"level", opt(f.korean->level)}} : json(nullptr);
  json tests = json::array(), medical = json::array(), documents = json::array(), blockers = json::array();
  for (const auto& t : f.tests)
    tests.push_back({{"id", t.id}, {"kind", t.kind}, {"date", t.date}, {"score", t.score}, {"source", t.source}});
  for (const auto& m : f.medical)
    medical.push_back({{"id", m.id}, {"date", m.date}, {"result", m.result}, {"valid_until", opt(m.valid_until)},
                       {"clinic", opt(m.clinic)}});
  for (const auto& d : f.documents)
    documents.push_back({{"id", d.id}, {"kind", d.kind}, {"status", d.status}, {"number", opt(d.number)},
                         {"issued", opt(d.issued)}, {"expires", opt(d.expires)}, {"note", opt(d.note)}});
  for (const auto& b : f.readiness.blockers) blockers.push_back(b.text);
  j["tests"] = tests;
  j["medical"] = medical;
  j["documents"] = documents;
  j["ready"] = f.readiness.ready;
  j["blockers"] = blockers;
  return j;
}

std::string trainee_file_text(const TraineeFile& f, const std::string& short_id) {
  std::string out;
  const Labels label;
  put_trainee(out, label, f.trainee, short_id);
  put_records(out, label, f);
  out += label(kReadiness) + (f.readiness.ready ? tr("READY") : tr("not ready")) + "\n";
  for (const auto& b : f.readiness.blockers) out += "  - " + printable(b.text) + "\n";
  return out;
}

}  // namespace epsync::cli
