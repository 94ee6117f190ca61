#include "records/trainee_file.h"

#include <functional>

namespace epsync {

namespace {

// Runs `sql` (trainee id as ?1, owning centre as ?2) and hands each row to `fn`.
Status each_row(Store& store, const std::string& sql, const Trainee& t, const std::function<void(const Stmt&)>& fn) {
  auto st = store.db().prepare(sql);
  if (!st.ok()) return st.status();
  st->bind(1, t.id).bind(2, t.center_id);
  for (;;) {
    auto r = st->step();
    if (!r.ok()) return r.status();
    if (!r.value()) return Status::Ok();
    fn(st.value());
  }
}

const char* const kOwnRows = " WHERE trainee_id = ?1 AND center_id = ?2 AND deleted = 0";

TraineeFacts facts_of(const TraineeFile& f) {
  TraineeFacts facts;
  const Trainee& t = f.trainee;
  facts.trainee = {t.id, t.center_id, t.birth_date, t.sector, t.status};
  for (const auto& x : f.tests) facts.tests.push_back({x.kind, x.date, x.score});
  for (const auto& m : f.medical) facts.medicals.push_back({m.id, m.date, m.result, m.valid_until});
  for (const auto& d : f.documents) facts.documents.push_back({d.kind, d.status, d.expires});
  return facts;
}

}  // namespace

Result<TraineeFile> read_trainee_file(Store& store, const Trainee& trainee, const Date& as_of) {
  TraineeFile f;
  f.trainee = trainee;
  // One course row per trainee; record_korean updates the first by id, so that is the one shown.
  EPSYNC_RETURN_IF_ERROR(each_row(store, std::string("SELECT id, hours, level FROM korean_course") + kOwnRows + " ORDER BY id LIMIT 1",
                                  trainee, [&](const Stmt& s) {
                                    f.korean = KoreanCourse{s.column_text(0), s.column_int(1), s.column_text(2)};
                                  }));
  EPSYNC_RETURN_IF_ERROR(each_row(
      store, std::string("SELECT id, kind, test_date, score, source FROM test_result") + kOwnRows + " ORDER BY test_date DESC, id",
      trainee, [&](const Stmt& s) {
        f.tests.push_back({s.column_text(0), s.column_text(1), s.column_text(2), s.column_int(3), s.column_text(4)});
      }));
  EPSYNC_RETURN_IF_ERROR(each_row(
      store,
      std::string("SELECT id, check_date, result, valid_until, clinic FROM medical_check") + kOwnRows + " ORDER BY check_date DESC, id",
      trainee, [&](const Stmt& s) {
        f.medical.push_back({s.column_text(0), s.column_text(1), s.column_text(2), s.column_text(3), s.column_text(4)});
      }));
  EPSYNC_RETURN_IF_ERROR(each_row(
      store,
      std::string("SELECT id, kind, status, number, issued, expires, note FROM document_check") + kOwnRows + " ORDER BY kind, id",
      trainee, [&](const Stmt& s) {
        f.documents.push_back({s.column_text(0), s.column_text(1), s.column_text(2), s.column_text(3), s.column_text(4),
                               s.column_text(5), s.column_text(6)});
      }));
  auto rules = load_rules(store);
  if (!rules.ok()) return rules.status();
  f.readiness = assess(facts_of(f), rules.value(), as_of);
  return f;
}

}  // namespace epsync
