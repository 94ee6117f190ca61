// find_trainee and list_trainees (declared in records/records.h): naming a trainee by id, id
// prefix or IIN, and the centre's list in reading order.
#include <algorithm>

#include "records/records.h"
#include "util/i18n.h"

namespace epsync {

namespace {

bool all_digits(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Ids are written in lower-case hexadecimal (storage/store.cpp); anything else is a name.
bool looks_like_id(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

Result<Trainee> find_trainee(Store& store, const std::string& ref) {
  if (ref.empty()) return Status::InvalidInput(tr("trainee: give an id or an IIN"));
  const bool is_iin = ref.size() == 12 && all_digits(ref);
  std::string sql = std::string("SELECT ") + kTraineeColumns + " FROM trainee WHERE deleted = 0 AND ";
  if (is_iin) {
    sql += "iin = ?1 ORDER BY status = 'active' DESC, id LIMIT 2";
  } else {
    if (!looks_like_id(ref))
      return Status::InvalidInput(trf(
          "trainee: '{}' is neither an id nor an IIN; find the trainee with: epsync trainee list --search \"{}\"",
          ref, ref));
    if (ref.size() < 6) return Status::InvalidInput(trf("trainee: an id needs at least 6 characters, got '{}'", ref));
    sql += "id >= ?1 AND id < ?1 || char(1114111) ORDER BY id LIMIT 2";  // prefix match via the index
  }
  auto st = store.db().prepare(sql);
  if (!st.ok()) return st.status();
  st->bind(1, ref);
  auto r = st->step();
  if (!r.ok()) return r.status();
  if (!r.value())
    return Status::NotFound(is_iin ? trf("trainee: no trainee with IIN {}", ref) : trf("trainee: no trainee with id {}", ref));
  Trainee t = trainee_from_row(st.value());
  auto second = st->step();
  if (!second.ok()) return second.status();
  if (second.value() && !is_iin)
    return Status::InvalidInput(trf(
        "trainee: id prefix {} matches more than one trainee; give the id as `epsync trainee list` prints it", ref));
  return t;
}

Result<std::vector<Trainee>> list_trainees(Store& store) {
  auto st = store.db().prepare(std::string("SELECT ") + kTraineeColumns +
                               " FROM trainee WHERE deleted = 0 ORDER BY surname, given_name, id");
  if (!st.ok()) return st.status();
  return trainees_from(st.value());
}

Result<std::vector<Trainee>> trainees_from(Stmt& st) {
  std::vector<Trainee> out;
  for (;;) {
    auto r = st.step();
    if (!r.ok()) return r.status();
    if (!r.value()) break;
    out.push_back(trainee_from_row(st));
  }
  return out;
}

}  // namespace epsync
