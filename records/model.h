// The EPS data model of SPEC §3, as one table of data: the replicated tables, their columns and
// types, each column's cell rule, the fields a new row must have, the rules across a row's
// columns, and when a lost write is safety-relevant. The engine receives it (eps_model()) when a
// store is opened; the row rules (row_rules.h) look their checks up here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/schema.h"
#include "storage/status.h"
#include "storage/store.h"

namespace epsync {

// How one cell of a column is checked, without the rest of the row.
struct CellRule {
  enum Kind { kUnknown, kText, kEnum, kDate, kInt, kIin } kind = kUnknown;
  bool nullable = false;
  std::size_t max = 0;                                // kText: characters
  std::int64_t lo = 0, hi = 0;                        // kInt
  const std::vector<std::string>* allowed = nullptr;  // kEnum
};

struct RowCheck;  // row_rules.h: a row under check, with its values and the failure it reports
// A rule across some of a row's columns; checked only when the write sets one of them.
struct CrossRowRule {
  std::vector<std::string> column_names;
  Status (*check)(const RowCheck& row, const std::vector<int>& columns) = nullptr;
  std::vector<int> columns;  // the positions of column_names
};

struct ColumnRules {
  CellRule cell;
  bool required = false;   // a new row must have it
  bool past_date = false;  // the date of an event that has happened: not later than today
};

// The rules of one table, by column position in eps_model().tables.
struct TableRules {
  std::vector<ColumnRules> columns;
  std::vector<CrossRowRule> across;
};

// The model the engine is given (StoreOptions::model); it lives as long as the process.
const DataModel& eps_model();
// Store options that carry the EPS model.
StoreOptions eps_store_options(StoreOptions o = {});
const TableRules& table_rules(int table);

// Shorthands for eps_model().
const std::vector<TableDef>& replicated_tables();
const TableDef* find_table(std::string_view name);
int table_index(std::string_view name);  // -1 if unknown
int latest_schema_version();

}  // namespace epsync
