#include "chaos/chaos_workload.h"

#include <nlohmann/json.hpp>
#include <thread>
#include <tuple>

#include "hub/hub_store.h"
#include "storage/change_log.h"
#include "records/date.h"
#include "records/iin.h"
#include "records/records.h"
#include "storage/schema.h"

namespace epsync::test {

namespace {

using json = nlohmann::json;

// Text columns of a query's rows.
std::vector<std::vector<std::string>> query(ChaosWorld& w, const std::string& db, const std::string& sql,
                                            const std::vector<std::string>& params = {}) {
  auto s = w.open(db);
  return text_rows(s->db(), sql, params);
}

// A value from `domain` that is none of `avoid`.
std::string other_than(std::mt19937_64& rng, const std::vector<std::string>& domain, const std::vector<Value>& avoid) {
  std::vector<std::string> ok;
  for (const auto& d : domain)
    if (std::none_of(avoid.begin(), avoid.end(), [&](const Value& v) { return v == Value{d}; })) ok.push_back(d);
  return ok[rng() % ok.size()];
}

}  // namespace

std::string Workload::new_iin(std::string& birth, char& sex) {
  int serial = ++serial_;
  sex = serial % 2 ? 'F' : 'M';
  Date b = add_days(Date{1992, 3, 1}, (serial * 97) % 3000);  // distinct per serial, so IINs are too
  birth = format_date(b);
  return make_iin(b, sex, serial);
}

std::string Workload::date_in(int year) { return format_date(add_days(Date{year, 1, 1}, pick(360))); }

std::vector<std::pair<std::string, std::string>> Workload::rows(const std::string& db, const std::string& table,
                                                                const std::string& where) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& r : query(w_, db, "SELECT id, center_id FROM " + table + " WHERE " + where + " ORDER BY id"))
    out.emplace_back(r[0], r[1]);
  return out;
}

const Workload::Trainee* Workload::live_trainee(std::size_t i) {
  std::vector<const Trainee*> live;
  for (const auto& t : trainees_)
    if (t.centre == i && !t.removed) live.push_back(&t);
  return live.empty() ? nullptr : live[static_cast<std::size_t>(pick(static_cast<int>(live.size())))];
}

std::optional<Workload::Done> Workload::cli(std::size_t i, std::vector<std::string> args, const std::string& what,
                                            std::string* out) {
  auto& c = w_.centres[i];
  Done d{c.site, w_.last_seq(c.db, c.site), 0};
  args.push_back("--json");
  auto r = w_.centre_cmd(i, std::move(args));
  ++out_.fig.cli_writes;
  if (r.exit_code != 0) {
    fail(c.id + ": `epsync " + what + "` failed while its agent runs or not: " + describe(r));
    return std::nullopt;
  }
  d.to = w_.last_seq(c.db, c.site);
  if (out) *out = r.out;
  // The next write, wherever it is made, falls in a later millisecond, so the hybrid clocks order
  // the writes as the harness made them (the last write of a cell must win).
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  return d;
}

std::optional<Workload::Done> Workload::library_write(bool at_hub, std::size_t centre, const std::string& table,
                                                      const std::string& row, const std::string& column,
                                                      const Value& v, const std::string& what) {
  // The hub as an analyst's correction reaches it (tests/net's hub_write): HubStore, a process of
  // its own, hence a site of its own. A centre: its store file, as a registrar's tool would.
  std::unique_ptr<hub::HubStore> hub;
  std::unique_ptr<Store> own;
  Store* store = nullptr;
  if (at_hub) {
    hub::HubOptions o;
    o.create = false;
    o.operator_name = "analyst";
    auto h = hub::HubStore::open(w_.hub_db, o);
    REQUIRE_MESSAGE(h.ok(), h.status().message());
    hub = std::move(h).value();
    store = &hub->store();
  } else {
    own = w_.open(w_.centres[centre].db);
    store = own.get();
  }
  const std::string& path = at_hub ? w_.hub_db : w_.centres[centre].db;
  Done d{store->site_id(), w_.last_seq(path, store->site_id()), 0};
  WriteTxn tx(*store);
  Status s = tx.begin();
  bool exists = w_.cell(path, table, row, column).has_value();
  if (s.ok()) s = exists ? tx.update(table, row, {{column, v}}) : tx.insert(table, row, std::string(kReferenceOwner), {{column, v}});
  if (s.ok()) s = tx.commit();
  if (!s.ok()) {
    fail(what + ": the library write failed: " + s.message());
    return std::nullopt;
  }
  d.to = w_.last_seq(path, d.site);
  ++(at_hub ? out_.fig.hub_writes : out_.fig.library_writes);
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  return d;
}

void Workload::note(const std::string& what, const Done& d, const std::string& table, const std::string& row,
                    const std::string& column, Value v, int pair) {
  ledger_.add(Write{what, d.site, d.from, d.to, table, row, column, std::move(v), pair});
}

void Workload::enrol(std::size_t i) {
  std::string birth, out;
  char sex = 'F';
  std::string iin = new_iin(birth, sex), surname = unique("Сынақ-");
  std::vector<std::string> args = {"trainee", "add", "--iin", iin, "--surname", surname, "--given-name",
                                   sex == 'F' ? "Әлия" : "Ерғали", "--birth-date", birth, "--sex", std::string(1, sex)};
  if (chance(50)) args.insert(args.end(), {"--sector", kSectors[static_cast<std::size_t>(pick(5))]});
  auto d = cli(i, args, "trainee add", &out);
  if (!d) return;
  std::string id = json::parse(out).at("id").get<std::string>();
  trainees_.push_back({id, i, false});
  ledger_.personal.insert(ledger_.personal.end(), {iin, surname});
  std::string what = w_.centres[i].id + " CLI trainee add";
  note(what, *d, "trainee", id, "iin", iin);
  note(what, *d, "trainee", id, "surname", surname);
}

void Workload::update_trainee(std::size_t i) {
  const Trainee* t = live_trainee(i);
  if (!t) return enrol(i);
  static const std::vector<std::string> kColumns = {"surname", "phone", "sector", "status"};
  std::string column = kColumns[static_cast<std::size_t>(pick(4))], value;
  if (column == "surname") value = unique("Жаңа-");
  else if (column == "phone") value = "+7701" + std::to_string(1000000 + ++counter_);
  else if (column == "sector") value = kSectors[static_cast<std::size_t>(pick(5))];
  else value = kTraineeStatuses[static_cast<std::size_t>(pick(3))];
  if (column == "surname" || column == "phone") ledger_.personal.push_back(value);
  std::string id = t->id;
  auto d = cli(i, {"trainee", "update", id, "--" + column, value}, "trainee update");
  if (d) note(w_.centres[i].id + " CLI trainee update " + column, *d, "trainee", id, column, value);
}

void Workload::remove_trainee(std::size_t i) {
  int live = 0;
  for (const auto& t : trainees_) live += t.centre == i && !t.removed;
  const Trainee* t = live_trainee(i);
  if (!t || live < 3) return enrol(i);
  std::string id = t->id;
  auto d = cli(i, {"trainee", "remove", id}, "trainee remove");
  if (!d) return;
  for (auto& x : trainees_)
    if (x.id == id) x.removed = true;
  note(w_.centres[i].id + " CLI trainee remove", *d, "trainee", id, "deleted", std::int64_t{1});
}

void Workload::record_test(std::size_t i) {
  const Trainee* t = live_trainee(i);
  if (!t) return enrol(i);
  std::string out, date = date_in(2024), kind = chance(70) ? "eps-topik" : "mock";
  std::int64_t score = pick(201);
  auto d = cli(i, {"record", "test", t->id, "--kind", kind, "--date", date, "--score", std::to_string(score)},
               "record test", &out);
  if (!d) return;
  std::string id = json::parse(out).at("id").get<std::string>();
  std::string what = w_.centres[i].id + " CLI record test";
  note(what, *d, "test_result", id, "score", score);
  note(what, *d, "test_result", id, "test_date", date);
}

void Workload::record_medical(std::size_t i) {
  const Trainee* t = live_trainee(i);
  if (!t) return enrol(i);
  std::string out, result = kMedicalResults[static_cast<std::size_t>(pick(3))];
  std::vector<std::string> args = {"record", "medical", t->id, "--date", date_in(2024), "--result", result};
  std::optional<std::string> until;
  if (result == "fit" || chance(50)) until = date_in(2026 + pick(2));
  if (until) args.insert(args.end(), {"--valid-until", *until});
  auto d = cli(i, args, "record medical", &out);
  if (!d) return;
  std::string id = json::parse(out).at("id").get<std::string>();
  std::string what = w_.centres[i].id + " CLI record medical";
  note(what, *d, "medical_check", id, "result", result);
  if (until) note(what, *d, "medical_check", id, "valid_until", *until);
}

void Workload::record_document(std::size_t i, std::optional<std::string> kind) {
  const Trainee* t = live_trainee(i);
  if (!t) return enrol(i);
  if (!kind) kind = kDocumentKinds[static_cast<std::size_t>(pick(static_cast<int>(kDocumentKinds.size())))];
  // The record the CLI will update (one per kind), if there is one: never a locked pair cell.
  auto existing = query(w_, w_.centres[i].db,
                        "SELECT id, status FROM document_check WHERE trainee_id = ? AND kind = ? AND deleted = 0 "
                        "ORDER BY id LIMIT 1",
                        {t->id, *kind});
  std::vector<Value> avoid;
  if (!existing.empty()) {
    if (ledger_.locked("document_check", existing[0][0], "status")) return;
    avoid.push_back(existing[0][1]);
  }
  std::string status = other_than(rng_, kDocumentStatuses, avoid), out;
  auto d = cli(i, {"record", "document", t->id, "--kind", *kind, "--status", status}, "record document", &out);
  if (!d) return;
  std::string id = json::parse(out).at("id").get<std::string>();
  note(w_.centres[i].id + " CLI record document", *d, "document_check", id, "status", status);
}

void Workload::record_korean(std::size_t i) {
  const Trainee* t = live_trainee(i);
  if (!t) return enrol(i);
  std::int64_t hours = ++counter_ % 5000;
  std::string out;
  auto d = cli(i, {"record", "korean", t->id, "--hours", std::to_string(hours)}, "record korean", &out);
  if (d) note(w_.centres[i].id + " CLI record korean", *d, "korean_course", json::parse(out).at("id").get<std::string>(),
              "hours", hours);
}

void Workload::import_csv(std::size_t i) {
  std::string csv = "iin,surname,given_name,birth_date,sex\n";
  std::vector<std::pair<std::string, std::string>> people;  // iin, surname
  for (int k = 0, n = 1 + pick(2); k < n; ++k) {
    std::string birth;
    char sex = 'F';
    std::string iin = new_iin(birth, sex), surname = unique("Импорт-");
    csv += iin + "," + surname + "," + (sex == 'F' ? "Гүлназ" : "Нұрлан") + "," + birth + "," + sex + "\n";
    people.emplace_back(iin, surname);
    ledger_.personal.insert(ledger_.personal.end(), {iin, surname});
  }
  std::string file = w_.dir.file(unique("import-") + ".csv");
  write_file_bytes(file, csv);
  auto d = cli(i, {"import", file}, "import");
  if (!d) return;
  for (const auto& [iin, surname] : people) {
    auto found = query(w_, w_.centres[i].db, "SELECT id FROM trainee WHERE iin = ? AND deleted = 0", {iin});
    if (found.size() != 1) {
      fail(w_.centres[i].id + ": an imported trainee is not in the store once");
      continue;
    }
    trainees_.push_back({found[0][0], i, false});
    note(w_.centres[i].id + " CLI import", *d, "trainee", found[0][0], "surname", surname);
  }
}

void Workload::hub_correction() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> kCells = {
      {"trainee", {"surname", "phone"}},
      {"medical_check", {"result", "valid_until"}},
      {"document_check", {"status"}},
      {"test_result", {"score"}}};
  const auto& [table, columns] = kCells[static_cast<std::size_t>(pick(4))];
  // Not the misbehaving centre's rows: they stay as it sent them (chaos_rogue.h), and the honest
  // workload of a seed picks the same rows with or without it.
  auto candidates = rows(w_.hub_db, table, "deleted = 0 AND center_id != '" + w_.rogue.id + "'");
  if (candidates.empty()) return;
  std::string row = candidates[static_cast<std::size_t>(pick(static_cast<int>(candidates.size())))].first;
  std::string column = columns[static_cast<std::size_t>(pick(static_cast<int>(columns.size())))];
  if (ledger_.locked(table, row, column)) return;
  auto current = w_.cell(w_.hub_db, table, row, column);
  Value v;
  if (column == "surname") v = unique("Түзетілген-");
  else if (column == "phone") v = "+7702" + std::to_string(1000000 + ++counter_);
  else if (column == "result") v = other_than(rng_, kMedicalResults, {*current});
  else if (column == "valid_until") v = date_in(2026 + pick(2));
  else if (column == "status") v = other_than(rng_, kDocumentStatuses, {*current});
  else v = std::int64_t{pick(101)};
  if (auto* s = std::get_if<std::string>(&v); s && (column == "surname" || column == "phone")) ledger_.personal.push_back(*s);
  std::string what = "hub correction of " + table + "." + column;
  if (auto d = library_write(true, 0, table, row, column, v, what)) note(what, *d, table, row, column, v);
}

void Workload::hub_rules() {
  std::string what = "hub rule eps_topik_pass_mark";
  Value v = std::to_string(60 + pick(60));
  if (auto d = library_write(true, 0, "rules", "eps_topik_pass_mark", "value", v, what))
    note(what, *d, "rules", "eps_topik_pass_mark", "value", v);
}

void Workload::hub_import_results() {
  auto known = query(w_, w_.hub_db, "SELECT id, iin FROM trainee WHERE deleted = 0 AND center_id != ? ORDER BY id",
                     {w_.rogue.id});
  if (known.empty()) return;
  std::string csv = "iin,test_date,score\n";
  std::vector<std::tuple<std::string, std::string, std::int64_t>> lines;  // trainee, date, score
  for (int k = 0, n = 1 + pick(2); k < n; ++k) {
    const auto& t = known[static_cast<std::size_t>(pick(static_cast<int>(known.size())))];
    std::string date = date_in(2025);
    std::int64_t score = pick(201);
    csv += t[1] + "," + date + "," + std::to_string(score) + "\n";
    lines.emplace_back(t[0], date, score);
  }
  std::string file = w_.dir.file(unique("results-") + ".csv");
  write_file_bytes(file, csv);
  auto r = w_.hub_cmd({"import-results", file, "--json"});
  ++out_.fig.hub_imports;
  if (r.exit_code != 0) return fail("`epsync hub import-results` failed: " + describe(r));
  for (const auto& [trainee, date, score] : lines) {
    auto found = query(w_, w_.hub_db,
                       "SELECT id FROM test_result WHERE trainee_id = ? AND source = 'official' AND test_date = ? AND "
                       "score = " + std::to_string(score) + " AND deleted = 0",
                       {trainee, date});
    if (found.empty()) fail("an official result `epsync hub import-results` reported done is not at the hub");
    for (const auto& f : found) {
      ++out_.fig.official_results;
      note("hub import-results", Done{}, "test_result", f[0], "score", score);
    }
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
}

struct Workload::PairCell {
  std::string table, row, column, trainee, kind;
};

// The cells a concurrent pair at centre `i` may write: a criminal-record or immigration-record
// status the CLI will update, a medical check's result or validity, a test score; none locked.
std::vector<Workload::PairCell> Workload::pair_candidates(std::size_t i) {
  auto& c = w_.centres[i];
  std::vector<PairCell> cells;
  auto at_centre = [&](const std::string& table, const std::string& row) {
    return w_.cell(c.db, table, row, "deleted").has_value();
  };
  // A criminal-record or immigration-record status the CLI will update: the trainee's only live
  // record of that kind, at the hub and at the centre.
  for (auto& r : query(w_, w_.hub_db,
                       "SELECT id, trainee_id, kind FROM document_check WHERE center_id = ? AND deleted = 0 AND "
                       "kind IN ('criminal-record', 'immigration-record') ORDER BY id",
                       {c.id})) {
    bool live = std::any_of(trainees_.begin(), trainees_.end(), [&](const Trainee& t) { return t.id == r[1] && !t.removed; });
    auto chosen = query(w_, c.db,
                        "SELECT id FROM document_check WHERE trainee_id = ? AND kind = ? AND deleted = 0 ORDER BY id LIMIT 1",
                        {r[1], r[2]});
    if (live && !chosen.empty() && chosen[0][0] == r[0]) cells.push_back({"document_check", r[0], "status", r[1], r[2]});
  }
  for (const auto& [row, owner] : rows(w_.hub_db, "medical_check", "deleted = 0 AND center_id = '" + c.id + "'"))
    if (at_centre("medical_check", row)) cells.push_back({"medical_check", row, chance(50) ? "result" : "valid_until", "", ""});
  for (const auto& [row, owner] : rows(w_.hub_db, "test_result", "deleted = 0 AND center_id = '" + c.id + "'"))
    if (at_centre("test_result", row)) cells.push_back({"test_result", row, "score", "", ""});
  std::erase_if(cells, [&](const PairCell& x) { return ledger_.locked(x.table, x.row, x.column); });
  return cells;
}

// The values the centre and the hub write into `cell`: each differs from what its writer holds
// and from each other.
std::pair<Value, Value> Workload::pair_values(std::size_t i, const PairCell& cell) {
  auto& c = w_.centres[i];
  auto a = w_.cell(c.db, cell.table, cell.row, cell.column).value_or(Value{});
  auto b = w_.cell(w_.hub_db, cell.table, cell.row, cell.column).value_or(Value{});
  Value cv, hv;
  if (cell.column == "status" || cell.column == "result") {
    const auto& domain = cell.column == "status" ? kDocumentStatuses : kMedicalResults;
    std::vector<Value> not_these = {a};
    // A registrar cannot record "fit" without a validity date (storage/row_rules.h): the hub
    // would quarantine it, as it does for anyone who writes around the CLI.
    if (cell.column == "result")
      if (auto until = w_.cell(c.db, cell.table, cell.row, "valid_until"); !until || is_null(*until))
        not_these.push_back(std::string("fit"));
    cv = other_than(rng_, domain, not_these);
    hv = other_than(rng_, domain, {b, cv});
  } else if (cell.column == "valid_until") {
    std::vector<std::string> dates;
    for (int k = 0; k < 4; ++k) dates.push_back(date_in(2026 + k));  // four distinct years
    cv = other_than(rng_, dates, {a});
    hv = other_than(rng_, dates, {b, cv});
  } else {
    std::vector<std::string> scores;
    for (int k = 0; k < 4; ++k) scores.push_back(std::to_string(k * 25 + pick(25)));
    cv = std::int64_t{std::stoll(other_than(rng_, scores, {Value{to_literal(a)}}))};
    hv = std::int64_t{std::stoll(other_than(rng_, scores, {Value{to_literal(b)}, Value{to_literal(cv)}}))};
  }
  return {cv, hv};
}

bool Workload::concurrent_pair(std::size_t i, const std::function<void(std::size_t)>& stop) {
  auto& c = w_.centres[i];
  std::vector<PairCell> cells = pair_candidates(i);
  if (cells.empty()) return false;
  const PairCell& cell = cells[static_cast<std::size_t>(pick(static_cast<int>(cells.size())))];

  stop(i);  // from here on neither side can see the other's write
  Value cv, hv;
  std::tie(cv, hv) = pair_values(i, cell);
  bool centre_first = chance(50);
  std::string cwhat = c.id + (cell.table == "document_check" ? " CLI record document (pair)" : " registrar tool write (pair)");
  std::string hwhat = "hub correction (pair) at " + c.id;
  std::optional<Done> cd, hd;
  auto centre_write = [&] {
    if (cell.table != "document_check") {
      cd = library_write(false, i, cell.table, cell.row, cell.column, cv, cwhat);
      return;
    }
    std::string out;
    cd = cli(i, {"record", "document", cell.trainee, "--kind", cell.kind, "--status", std::get<std::string>(cv)},
             "record document", &out);
    if (cd && json::parse(out).at("id").get<std::string>() != cell.row) {
      fail(cwhat + ": the CLI updated another record than the harness chose");
      cd.reset();
    }
  };
  auto hub_write = [&] { hd = library_write(true, 0, cell.table, cell.row, cell.column, hv, hwhat); };
  if (centre_first) centre_write(), hub_write();
  else hub_write(), centre_write();
  if (!cd || !hd) return true;
  int pair = static_cast<int>(ledger_.pairs.size());
  std::size_t cw = ledger_.writes.size();
  note(cwhat, *cd, cell.table, cell.row, cell.column, cv, pair);
  note(hwhat, *hd, cell.table, cell.row, cell.column, hv, pair);
  ledger_.pairs.push_back({i, cell.table, cell.row, cell.column, cw, cw + 1, centre_first});
  ledger_.lock(cell.table, cell.row, cell.column);
  ++out_.fig.pairs;
  return true;
}

}  // namespace epsync::test
