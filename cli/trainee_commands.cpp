// The trainee commands of SPEC §6: enrol, change, remove, show (the whole file), list (with
// --search), record course hours and checks, and a trainee's history. Trainees are printed with
// their short ids (records/trainee_ids.h), which every command taking a trainee accepts.
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>

#include "agent/nudge.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/trainee_output.h"
#include "records/history.h"
#include "records/row_rules.h"
#include "records/trainee_file.h"
#include "records/trainee_ids.h"
#include "records/trainee_search.h"
#include "util/i18n.h"
#include "records/vocabulary.h"
#include "util/printable.h"

namespace epsync::cli {

namespace {

using json = nlohmann::ordered_json;

// Runs `fn` inside a WriteTxn with a Records writer and commits only if it succeeds.
int write(const Global& g, const std::function<Result<std::string>(Records&)>& fn,
          const std::function<void(const std::string& id)>& done) {
  auto opened = open_centre(g);
  if (!opened.ok()) return fail(opened.status());
  WriteTxn w(*opened->store);
  if (Status s = w.begin(); !s.ok()) return fail(s);
  Records records(w, opened->center, today_local());
  auto id = fn(records);
  if (!id.ok()) return fail(id.status());
  if (Status s = w.commit(); !s.ok()) return fail(s);
  nudge_agent(opened->store->path());
  if (g.json) {
    std::cout << json{{"id", id.value()}, {"changes", w.changes_written()}}.dump() << "\n";
  } else {
    done(id.value());
  }
  return 0;
}

json value_json(const Value& v) {
  if (auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  return nullptr;
}

std::string value_text(const Value& v) {
  if (is_null(v)) return tr("(empty)");
  if (auto* s = std::get_if<std::string>(&v)) return printable(*s);
  return printable(to_literal(v));
}

// What a history line is about, in the reader's language: the field of the trainee, or the row
// (a test, an examination, a document) and its field. Field names stay as the flags spell them.
std::string history_subject(const HistoryEntry& e) {
  const std::string field = printable(e.column);
  if (e.table == "trainee") return field;
  if (e.table == "korean_course") return trf("Korean course {}", field);
  if (e.table == "test_result" && !e.subject_kind.empty())
    return trf("{} test of {} {}", printable(e.subject_kind), printable(e.subject_date), field);
  if (e.table == "medical_check" && !e.subject_date.empty())
    return trf("medical check of {} {}", printable(e.subject_date), field);
  return printable(e.subject) + " " + field;  // a document: its kind
}

// Prints `text` with the trainee's id filled in, followed by a newline.
std::function<void(const std::string&)> say(const char* text) {
  return [text](const std::string& id) { std::cout << trf(text, id) << "\n"; };
}

}  // namespace

int trainee_add(const Global& g, const TraineeFields& f) {
  return write(g, [&](Records& r) { return r.add_trainee(f, FieldStyle::kFlag); }, say(N_("enrolled trainee {}")));
}

int trainee_update(const Global& g, const std::string& ref, const TraineeFields& f) {
  return write(g, [&](Records& r) { return r.update_trainee(ref, f, FieldStyle::kFlag); }, say(N_("updated trainee {}")));
}

int trainee_remove(const Global& g, const std::string& ref) {
  return write(g, [&](Records& r) { return r.remove_trainee(ref); }, say(N_("removed trainee {}")));
}

int trainee_show(const Global& g, const std::string& ref) {
  auto opened = open_centre(g);
  if (!opened.ok()) return fail(opened.status());
  auto t = find_trainee_or_search(*opened->store, ref);
  if (!t.ok()) return fail(t.status());
  auto file = read_trainee_file(*opened->store, t.value(), today_local());
  if (!file.ok()) return fail(file.status());
  if (g.json) {
    std::cout << trainee_file_json(file.value()).dump(2) << "\n";
    return 0;
  }
  auto ids = ShortIds::load(*opened->store);
  if (!ids.ok()) return fail(ids.status());
  std::cout << trainee_file_text(file.value(), ids->of(t->id));
  return 0;
}

int trainee_list(const Global& g, const std::optional<std::string>& search) {
  auto opened = open_centre(g);
  if (!opened.ok()) return fail(opened.status());
  auto list = search ? search_trainees(*opened->store, *search) : list_trainees(*opened->store);
  if (!list.ok()) return fail(list.status());
  auto ids = ShortIds::load(*opened->store);
  if (!ids.ok()) return fail(ids.status());
  if (g.json) {
    json arr = json::array();
    for (const auto& t : list.value()) {
      json j = trainee_json(t);
      j["short_id"] = ids->of(t.id);
      arr.push_back(std::move(j));
    }
    std::cout << arr.dump(2) << "\n";
    return 0;
  }
  for (const auto& t : list.value())
    std::cout << printable(ids->of(t.id)) << "  " << printable(t.iin) << "  " << printable(display_date(t.birth_date))
              << "  " << printable(display_word(Enum::kSex, t.sex)) << "  "
              << printable(display_word(Enum::kTraineeStatus, t.status)) << "  " << printable(full_name(t)) << "\n";
  const auto n = static_cast<long>(list->size());
  if (search) std::cout << trn("{} trainee found", "{} trainees found", n, n) << "\n";
  else std::cout << trn("{} trainee", "{} trainees", n, n) << "\n";
  return 0;
}

int record_korean(const Global& g, const RecordArgs& a) {
  return write(g, [&](Records& r) { return r.record_korean(a.trainee, a.korean, FieldStyle::kFlag); }, say(N_("recorded Korean course {}")));
}
int record_test(const Global& g, const RecordArgs& a) {
  return write(g, [&](Records& r) { return r.record_test(a.trainee, a.test, FieldStyle::kFlag); }, say(N_("recorded test result {}")));
}
int record_medical(const Global& g, const RecordArgs& a) {
  return write(g, [&](Records& r) { return r.record_medical(a.trainee, a.medical, FieldStyle::kFlag); }, say(N_("recorded medical check {}")));
}
int record_document(const Global& g, const RecordArgs& a) {
  return write(g, [&](Records& r) { return r.record_document(a.trainee, a.document, FieldStyle::kFlag); }, say(N_("recorded document check {}")));
}

int history(const Global& g, const std::string& ref) {
  auto opened = open_centre(g);
  if (!opened.ok()) return fail(opened.status());
  auto t = find_trainee_or_search(*opened->store, ref);
  if (!t.ok()) return fail(t.status());
  auto h = trainee_history(*opened->store, t->id);
  if (!h.ok()) return fail(h.status());
  if (g.json) {
    json arr = json::array();
    for (const auto& e : h.value())
      arr.push_back({{"time", hlc_to_string(e.hlc)}, {"operator", e.op}, {"site", e.site},
                     {"table", e.table}, {"row_id", e.row_id}, {"subject", e.subject}, {"field", e.column},
                     {"old", value_json(e.old_value)}, {"new", value_json(e.new_value)}});
    std::cout << arr.dump(2) << "\n";
    return 0;
  }
  for (const auto& e : h.value())
    std::cout << hlc_to_string(e.hlc).substr(0, 19) << "Z  " << (e.op.empty() ? "?" : printable(e.op)) << "  "
              << history_subject(e) << ": " << value_text(e.old_value) << " -> " << value_text(e.new_value) << "\n";
  return 0;
}

}  // namespace epsync::cli
