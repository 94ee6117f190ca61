#include "records/model.h"

#include "records/regions.h"
#include "records/row_rules.h"

namespace epsync {

namespace {

// One column of the model: the engine's definition and the domain's rules, side by side.
struct ColumnSpec {
  std::string name;
  CellRule rule;
  bool required = false;
  bool past_date = false;
  SafetyRule safety;
};

struct TableSpec {
  std::string name;
  bool reference = false;
  std::vector<ColumnSpec> columns;  // without the owner and tombstone every table has
  std::vector<CrossRowRule> across;
};

// Builders that read like the table below. `required`: a new row must have it.
enum Need { kOptional, kRequired };
ColumnSpec column(std::string name, CellRule rule, bool required) {
  ColumnSpec c;
  c.name = std::move(name);
  c.rule = rule;
  c.required = required;
  return c;
}
ColumnSpec text(std::string name, Need need, std::size_t max) {
  return column(std::move(name), {CellRule::kText, need == kOptional, max}, need == kRequired);
}
ColumnSpec one_of(std::string name, Need need, const std::vector<std::string>& allowed) {
  return column(std::move(name), {CellRule::kEnum, need == kOptional, 0, 0, 0, &allowed}, need == kRequired);
}
ColumnSpec date(std::string name, Need need) {
  return column(std::move(name), {CellRule::kDate, need == kOptional}, need == kRequired);
}
ColumnSpec past_date(std::string name, Need need) {
  ColumnSpec c = date(std::move(name), need);
  c.past_date = true;
  return c;
}
ColumnSpec whole(std::string name, Need need, std::int64_t lo, std::int64_t hi) {
  return column(std::move(name), {CellRule::kInt, false, 0, lo, hi}, need == kRequired);
}
ColumnSpec iin(std::string name) { return column(std::move(name), {CellRule::kIin}, true); }
ColumnSpec trainee_ref() { return text("trainee_id", kRequired, 64); }

// Conflicts on the column are logged for review: always, or while `column` holds one of `values`.
ColumnSpec safety_relevant(ColumnSpec c) {
  c.safety.when = SafetyRule::When::kAlways;
  return c;
}
ColumnSpec safety_relevant_when(ColumnSpec c, std::string column, std::vector<std::string> values) {
  c.safety = {SafetyRule::When::kColumnIn, std::move(column), std::move(values)};
  return c;
}

const std::vector<std::string> kSexes = {"F", "M"};
const std::vector<std::string> kResultSources = {"center", "official"};

// Positions are stored in logs and version blobs: tables and columns are only ever appended.
std::vector<TableSpec> eps_tables() {
  return {
      {"center", true, {text("name", kOptional, 200), one_of("region", kRequired, kRegions)}, {}},
      {"rules", true, {text("value", kRequired, 40)}, {}},
      {"trainee", false,
       {iin("iin"), text("surname", kRequired, 100), text("given_name", kRequired, 100),
        text("patronymic", kOptional, 100), past_date("birth_date", kRequired), one_of("sex", kRequired, kSexes),
        text("phone", kOptional, 20), one_of("sector", kOptional, kSectors),
        one_of("status", kRequired, kTraineeStatuses)},
       {{{"iin", "birth_date", "sex"}, check_iin_against_birth, {}}}},
      {"korean_course", false, {trainee_ref(), whole("hours", kRequired, 0, 5000), text("level", kOptional, 40)}, {}},
      {"test_result", false,
       {trainee_ref(), one_of("kind", kRequired, kTestKinds), past_date("test_date", kRequired),
        safety_relevant(whole("score", kRequired, 0, 300)), one_of("source", kRequired, kResultSources)},
       {{{"kind", "score"}, check_score_by_kind, {}}}},
      {"medical_check", false,
       {trainee_ref(), past_date("check_date", kRequired),
        safety_relevant(one_of("result", kRequired, kMedicalResults)),
        safety_relevant(date("valid_until", kOptional)), text("clinic", kOptional, 200)},
       {{{"check_date", "result", "valid_until"}, check_medical_dates, {}}}},
      // A document's status matters for safety only for the criminal and immigration records.
      {"document_check", false,
       {trainee_ref(), one_of("kind", kRequired, kDocumentKinds),
        safety_relevant_when(one_of("status", kRequired, kDocumentStatuses), "kind",
                             {"criminal-record", "immigration-record"}),
        text("number", kOptional, 50), past_date("issued", kOptional), date("expires", kOptional),
        text("note", kOptional, 500)},
       {{{"issued", "expires"}, check_document_dates, {}}}},
  };
}

// The model's own SQL per schema step (the engine creates the tables themselves).
std::vector<std::string> eps_migrations() {
  std::string v1 = "CREATE INDEX trainee_iin ON trainee (iin);\n";
  for (const char* child : {"korean_course", "test_result", "medical_check", "document_check"})
    v1 += std::string("CREATE INDEX ") + child + "_trainee ON " + child + " (trainee_id);\n";
  return {v1};
}

// Every table starts with its owner and ends with its tombstone (the engine relies on both).
std::vector<ColumnSpec> with_owner_and_tombstone(std::vector<ColumnSpec> columns) {
  columns.insert(columns.begin(), text(std::string(kOwnerColumn), kOptional, 20));
  columns.front().rule.nullable = false;
  columns.push_back(whole(std::string(kDeletedColumn), kOptional, 0, 1));
  return columns;
}

struct Model {
  DataModel data;
  std::vector<TableRules> rules;
};

const Model& model() {
  static const Model m = [] {
    Model out;
    for (auto& spec : eps_tables()) {
      TableDef def{spec.name, spec.reference, {}};
      TableRules rules;
      for (auto& c : with_owner_and_tombstone(std::move(spec.columns))) {
        const ColumnType type = c.rule.kind == CellRule::kInt ? ColumnType::kInteger : ColumnType::kText;
        def.columns.push_back({c.name, type, std::move(c.safety)});
        rules.columns.push_back({c.rule, c.required, c.past_date});
      }
      rules.across = std::move(spec.across);
      out.data.tables.push_back(std::move(def));
      out.rules.push_back(std::move(rules));
    }
    out.data.migrations = eps_migrations();
    out.data.index();
    for (std::size_t t = 0; t < out.rules.size(); ++t)
      for (auto& rule : out.rules[t].across)
        for (const auto& name : rule.column_names) rule.columns.push_back(out.data.tables[t].column_index(name));
    return out;
  }();
  return m;
}

}  // namespace

const DataModel& eps_model() { return model().data; }

StoreOptions eps_store_options(StoreOptions o) {
  o.model = &eps_model();
  return o;
}

const TableRules& table_rules(int table) { return model().rules[static_cast<std::size_t>(table)]; }

const std::vector<TableDef>& replicated_tables() { return eps_model().tables; }
const TableDef* find_table(std::string_view name) { return eps_model().find_table(name); }
int table_index(std::string_view name) { return eps_model().table_index(name); }
int latest_schema_version() { return eps_model().schema_version(); }

}  // namespace epsync
