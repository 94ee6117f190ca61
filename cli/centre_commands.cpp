#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "agent/nudge.h"
#include "agent/config.h"
#include "records/history.h"
#include "storage/private_file.h"
#include "records/readiness.h"
#include "records/regions.h"
#include "records/row_rules.h"
#include "records/trainee_csv.h"
#include "util/printable.h"
#include "records/model.h"

namespace epsync::cli {

namespace {

using json = nlohmann::ordered_json;

json trainee_json(const Trainee& t) {
  auto opt = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
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

json value_json(const Value& v) {
  if (auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  return nullptr;
}

std::string value_text(const Value& v) {
  if (is_null(v)) return "(empty)";
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  return to_literal(v);
}

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

}  // namespace

int init(const Global& g, const InitArgs& a) {
  if (auto problem = center_id_problem(a.center))
    return fail(Status::InvalidInput("center: " + *problem + ", got '" + a.center + "'"));
  if (!is_region(a.region)) {
    std::string all;
    for (const auto& r : kRegions) all += (all.empty() ? "" : ", ") + r;
    return fail(Status::InvalidInput("region: must be one of " + all + ", got '" + a.region + "'"));
  }
  auto path = store_path(g);
  if (!path.ok()) return fail(path.status());
  StoreOptions o = eps_store_options();
  o.create = true;
  o.operator_name = operator_name();
  auto s = Store::open(path.value(), o);
  if (!s.ok()) return fail(s.status());
  Store& store = *s.value();
  auto existing = store.center_id();
  if (!existing.ok()) return fail(existing.status());
  if (!existing->empty()) {
    if (existing.value() == a.center) {
      std::cout << printable(path.value()) << " is already initialised for centre " << a.center << "\n";
      return 0;
    }
    return fail(Status::InvalidInput(path.value() + " already belongs to centre " + existing.value()));
  }
  Txn txn(store.db());
  if (Status st = txn.begin(); !st.ok()) return fail(st);
  for (auto [k, v] : {std::pair<std::string, std::string>{"center_id", a.center}, {"region", a.region},
                      {"center_name", a.name.value_or("")}})
    if (Status st = store.set_meta(k, v); !st.ok()) return fail(st);
  if (Status st = txn.commit(); !st.ok()) return fail(st);
  if (g.json) {
    std::cout << json{{"center", a.center}, {"region", a.region}, {"site_id", store.site_id()}, {"store", path.value()}}.dump() << "\n";
  } else {
    std::cout << "initialised " << path.value() << " for centre " << a.center << " (" << a.region
              << "), site " << store.site_id() << "\n";
  }
  return 0;
}

int trainee_add(const Global& g, const TraineeFields& f) {
  return write(g, [&](Records& r) { return r.add_trainee(f, FieldStyle::kFlag); },
               [](const std::string& id) { std::cout << "enrolled trainee " << id << "\n"; });
}

int trainee_update(const Global& g, const std::string& ref, const TraineeFields& f) {
  return write(g, [&](Records& r) { return r.update_trainee(ref, f, FieldStyle::kFlag); },
               [](const std::string& id) { std::cout << "updated trainee " << id << "\n"; });
}

int trainee_remove(const Global& g, const std::string& ref) {
  return write(g, [&](Records& r) { return r.remove_trainee(ref); },
               [](const std::string& id) { std::cout << "removed trainee " << id << "\n"; });
}

int trainee_show(const Global& g, const std::string& ref) {
  auto opened = open_centre(g);
  if (!opened.ok()) return fail(opened.status());
  auto t = find_trainee(*opened->store, ref);
  if (!t.ok()) return fail(t.status());
  auto assessed = assess_store(*opened->store, today_local(), opened->center);
  if (!assessed.ok()) return fail(assessed.status());
  const Readiness* rd = nullptr;
  for (const auto& a : assessed.value())
    if (a.trainee.id == t->id) rd = &a.readiness;
  if (g.json) {
    json j = trainee_json(t.value());
    if (rd) {
      j["ready"] = rd->ready;
      json b = json::array();
      for (const auto& x : rd->blockers) b.push_back(x.text);
      j["blockers"] = b;
    }
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  // Stored text may have arrived from another site by sync: escaped for the terminal.
  const Trainee& x = t.value();
  std::cout << "id          " << printable(x.id) << "\n"
            << "name        " << printable(full_name(x)) << "\n"
            << "iin         " << printable(x.iin) << "\n"
            << "birth date  " << printable(x.birth_date) << "\n"
            << "sex         " << printable(x.sex) << "\n"
            << "phone       " << (x.phone.empty() ? "-" : printable(x.phone)) << "\n"
            << "sector      " << (x.sector.empty() ? "-" : printable(x.sector)) << "\n"
            << "status      " << printable(x.status) << "\n";
  if (rd) {
    std::cout << "readiness   " << (rd->ready ? "READY" : "not ready") << "\n";
    for (const auto& b : rd->blockers) std::cout << "  - " << printable(b.text) << "\n";
  }
  return 0;
}

int trainee_list(const Global& g) {
  auto opened = open_centre(g);
  if (!opened.ok()) return fail(opened.status());
  auto list = list_trainees(*opened->store);
  if (!list.ok()) return fail(list.status());
  if (g.json) {
    json arr = json::array();
    for (const auto& t : list.value()) arr.push_back(trainee_json(t));
    std::cout << arr.dump(2) << "\n";
    return 0;
  }
  for (const auto& t : list.value())
    std::cout << printable(t.id.substr(0, 8)) << "  " << printable(t.iin) << "  " << printable(t.birth_date) << "  "
              << printable(t.sex) << "  " << printable(t.status) << "  " << printable(full_name(t)) << "\n";
  std::cout << list->size() << " trainee" << (list->size() == 1 ? "" : "s") << "\n";
  return 0;
}

int record_korean(const Global& g, const RecordArgs& a) {
  return write(g, [&](Records& r) { return r.record_korean(a.trainee, a.korean, FieldStyle::kFlag); },
               [](const std::string& id) { std::cout << "recorded Korean course " << id << "\n"; });
}
int record_test(const Global& g, const RecordArgs& a) {
  return write(g, [&](Records& r) { return r.record_test(a.trainee, a.test, FieldStyle::kFlag); },
               [](const std::string& id) { std::cout << "recorded test result " << id << "\n"; });
}
int record_medical(const Global& g, const RecordArgs& a) {
  return write(g, [&](Records& r) { return r.record_medical(a.trainee, a.medical, FieldStyle::kFlag); },
               [](const std::string& id) { std::cout << "recorded medical check " << id << "\n"; });
}
int record_document(const Global& g, const RecordArgs& a) {
  return write(g, [&](Records& r) { return r.record_document(a.trainee, a.document, FieldStyle::kFlag); },
               [](const std::string& id) { std::cout << "recorded document check " << id << "\n"; });
}

int import_csv(const Global& g, const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(Status::InvalidInput(file + ": cannot read the file"));
  std::ostringstream ss;
  ss << in.rdbuf();
  auto opened = open_centre(g);
  if (!opened.ok()) return fail(opened.status());
  auto outcome = import_trainees_csv(*opened->store, opened->center, ss.str(), today_local());
  if (!outcome.ok()) return fail(outcome.status());
  if (!outcome->errors.empty()) {
    for (const auto& e : outcome->errors) std::cerr << printable(file) << ": " << printable(e) << "\n";
    std::cerr << "epsync: nothing imported: " << outcome->errors.size() << " problem"
              << (outcome->errors.size() == 1 ? "" : "s") << " in " << file << "\n";
    return 2;
  }
  nudge_agent(opened->store->path());
  if (g.json) std::cout << json{{"imported", outcome->imported}}.dump() << "\n";
  else std::cout << "imported " << outcome->imported << " trainees\n";
  return 0;
}

int export_data(const Global& g, const ExportArgs& a) {
  if (a.format != "csv" && a.format != "json")
    return fail(Status::InvalidInput("format: must be csv or json, got '" + a.format + "'"));
  auto opened = open_centre(g);
  if (!opened.ok()) return fail(opened.status());
  std::string text;
  if (a.format == "csv") {
    auto csv = export_trainees_csv(*opened->store);
    if (!csv.ok()) return fail(csv.status());
    text = csv.value();
  } else {
    auto list = list_trainees(*opened->store);
    if (!list.ok()) return fail(list.status());
    json arr = json::array();
    for (const auto& t : list.value()) arr.push_back(trainee_json(t));
    text = json{{"center", opened->center}, {"trainees", arr}}.dump(2) + "\n";
  }
  if (!a.out) {
    std::cout << text;
    return 0;
  }
  // Names, IINs and birth dates: readable by the owner only, never written through a link.
  auto file = PrivateFile::create_beside(*a.out);
  if (!file.ok()) return fail(file.status());
  if (Status s = file->write_all(text); !s.ok()) return fail(s);
  if (Status s = file->commit(); !s.ok()) return fail(s);
  return 0;
}

int readiness(const Global& g, const std::optional<std::string>& as_of_text) {
  auto given = as_of_date(as_of_text);
  if (!given.ok()) return fail(given.status());
  const Date as_of = given.value();
  auto opened = open_centre(g);
  if (!opened.ok()) return fail(opened.status());
  auto assessed = assess_store(*opened->store, as_of, opened->center);
  if (!assessed.ok()) return fail(assessed.status());
  size_t ready = 0;
  for (const auto& a : assessed.value()) ready += a.readiness.ready;
  if (g.json) {
    json rows = json::array();
    for (const auto& a : assessed.value()) {
      json b = json::array();
      for (const auto& x : a.readiness.blockers) b.push_back(x.text);
      rows.push_back({{"id", a.trainee.id}, {"iin", a.trainee.iin}, {"surname", a.trainee.surname},
                      {"given_name", a.trainee.given_name}, {"ready", a.readiness.ready}, {"blockers", b}});
    }
    std::cout << json{{"center", opened->center}, {"as_of", format_date(as_of)},
                      {"trainees", assessed->size()}, {"ready", ready}, {"readiness", rows}}.dump(2) << "\n";
    return 0;
  }
  for (const auto& a : assessed.value()) {
    std::cout << (a.readiness.ready ? "READY      " : "not ready  ") << printable(a.trainee.iin) << "  "
              << printable(full_name(a.trainee)) << "\n";
    for (const auto& b : a.readiness.blockers) std::cout << "           - " << printable(b.text) << "\n";
  }
  std::cout << ready << " of " << assessed->size() << " trainees ready on " << format_date(as_of)
            << " at " << opened->center << "\n";
  return 0;
}

int history(const Global& g, const std::string& ref) {
  auto opened = open_centre(g);
  if (!opened.ok()) return fail(opened.status());
  auto t = find_trainee(*opened->store, ref);
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
  for (const auto& e : h.value()) {
    std::string what = e.table == "trainee" ? e.column : e.subject + " " + e.column;
    std::cout << hlc_to_string(e.hlc).substr(0, 19) << "Z  " << (e.op.empty() ? "?" : printable(e.op)) << "  "
              << printable(what) << ": " << printable(value_text(e.old_value)) << " -> "
              << printable(value_text(e.new_value)) << "\n";
  }
  return 0;
}

int backup(const Global& g, const std::string& file) {
  auto opened = open_centre(g);
  if (!opened.ok()) return fail(opened.status());
  if (Status s = opened->store->db().backup_to(file); !s.ok()) return fail(s);
  if (!g.json) std::cout << "backed up " << opened->store->path() << " to " << file << "\n";
  else std::cout << json{{"backup", file}}.dump() << "\n";
  return 0;
}

}  // namespace epsync::cli
