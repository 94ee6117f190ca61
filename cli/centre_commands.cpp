#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/trainee_output.h"
#include "agent/nudge.h"
#include "agent/config.h"
#include "storage/private_file.h"
#include "records/readiness.h"
#include "records/regions.h"
#include "records/row_rules.h"
#include "records/trainee_csv.h"
#include "util/i18n.h"
#include "util/printable.h"
#include "records/model.h"

namespace epsync::cli {

namespace {

using json = nlohmann::ordered_json;

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
  // The verdicts in one column, as wide as the wider of the two in this language.
  const std::string yes = tr("READY"), no = tr("not ready");
  auto width = [](const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  };
  const std::size_t column = std::max(width(yes), width(no)) + 2;
  for (const auto& a : assessed.value()) {
    const std::string& verdict = a.readiness.ready ? yes : no;
    std::cout << verdict << std::string(column - width(verdict), ' ') << printable(a.trainee.iin) << "  "
              << printable(full_name(a.trainee)) << "\n";
    for (const auto& b : a.readiness.blockers) std::cout << std::string(column, ' ') << "- " << printable(b.text) << "\n";
  }
  std::cout << trn("{} of {} trainees ready on {} at {}", "{} of {} trainees ready on {} at {}",
                   static_cast<long>(assessed->size()), ready, assessed->size(), format_date(as_of), opened->center)
            << "\n";
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
