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
#include "records/csv_import.h"
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

namespace {

// "imported 3 test results" for the kind the file held.
std::string imported_text(CsvKind kind, int n) {
  switch (kind) {
    case CsvKind::kTrainees: return trn("imported {} trainee", "imported {} trainees", n, n);
    case CsvKind::kKorean: return trn("imported {} Korean course line", "imported {} Korean course lines", n, n);
    case CsvKind::kTests: return trn("imported {} test result", "imported {} test results", n, n);
    case CsvKind::kMedical: return trn("imported {} medical check", "imported {} medical checks", n, n);
    case CsvKind::kDocuments: return trn("imported {} document check", "imported {} document checks", n, n);
  }
  return {};
}

// The options as given, or the refusal naming the bad one.
Result<CsvImportOptions> import_options(const ImportArgs& a) {
  CsvImportOptions o;
  if (a.kind) {
    o.kind = csv_kind_named(*a.kind);
    if (!o.kind)
      return Status::InvalidInput(
          trf("kind: must be trainees, korean, tests, medical or documents, got '{}'", *a.kind));
  }
  if (a.encoding) {
    auto e = csv_encoding_named(*a.encoding);
    if (!e) return Status::InvalidInput(trf("encoding: must be utf-8 or windows-1251, got '{}'", *a.encoding));
    o.encoding = *e;
  }
  return o;
}

}  // namespace

int import_csv(const Global& g, const ImportArgs& a) {
  auto options = import_options(a);
  if (!options.ok()) return fail(options.status());
  std::ifstream in(a.file, std::ios::binary);
  if (!in) return fail(Status::InvalidInput(trf("{}: cannot read the file", a.file)));
  std::ostringstream ss;
  ss << in.rdbuf();
  auto opened = open_centre(g);
  if (!opened.ok()) return fail(opened.status());
  auto outcome = epsync::import_csv(*opened->store, opened->center, ss.str(), today_local(), options.value());
  if (!outcome.ok()) return fail(outcome.status());
  if (!outcome->errors.empty()) {
    for (const auto& e : outcome->errors) std::cerr << printable(a.file) << ": " << printable(e) << "\n";
    const long n = static_cast<long>(outcome->errors.size());
    std::cerr << printable(trn("epsync: nothing imported: {} problem in {}", "epsync: nothing imported: {} problems in {}",
                               n, n, a.file))
              << "\n";
    return 2;
  }
  nudge_agent(opened->store->path());
  if (g.json)
    std::cout << json{{"imported", outcome->imported}, {"kind", csv_kind_name(outcome->kind)}}.dump() << "\n";
  else
    std::cout << imported_text(outcome->kind, outcome->imported) << "\n";
  return 0;
}

int export_data(const Global& g, const ExportArgs& a) {
  if (a.format != "csv" && a.format != "json")
    return fail(Status::InvalidInput(trf("format: must be csv or json, got '{}'", a.format)));
  if (a.excel && a.format != "csv")
    return fail(Status::InvalidInput(tr("excel: --excel writes CSV; leave out --format json")));
  auto opened = open_centre(g);
  if (!opened.ok()) return fail(opened.status());
  std::string text;
  if (a.format == "csv") {
    auto csv = export_trainees_csv(*opened->store, a.excel);
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
