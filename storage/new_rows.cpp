#include "storage/internal/new_rows.h"

#include <map>

#include "storage/internal/row_state.h"
#include "storage/schema.h"

namespace epsync {

namespace {

constexpr std::size_t kRowsPerStatement = 64;

// "(?, ?), (?, ?)" for `rows` rows of `params` parameters.
std::string values_list(std::size_t rows, std::size_t params) {
  std::string one = "(?";
  for (std::size_t i = 1; i < params; ++i) one += ", ?";
  one += ")";
  std::string all = one;
  for (std::size_t r = 1; r < rows; ++r) all += ", " + one;
  return all;
}

}  // namespace

void NewRowRun::add(LogRecord row) {
  ids_.insert(std::string_view(*row.row_id));
  queued_.push_back(std::move(row));
}

Status NewRowRun::flush(const std::function<Status(const LogRecord&)>& existing, std::int64_t& applied) {
  if (queued_.empty()) return Status::Ok();
  EPSYNC_RETURN_IF_ERROR(append_logs());
  std::map<int, std::vector<const LogRecord*>> by_table;
  for (const auto& r : queued_) by_table[r.table].push_back(&r);
  for (const auto& [table, rows] : by_table)
    EPSYNC_RETURN_IF_ERROR(create_rows(table, rows, existing, applied));
  queued_.clear();
  ids_.clear();
  return Status::Ok();
}

Status NewRowRun::append_logs() {
  constexpr std::size_t kParams = 8;
  std::vector<std::string> bodies;
  for (std::size_t from = 0; from < queued_.size(); from += kRowsPerStatement) {
    const std::size_t n = std::min(kRowsPerStatement, queued_.size() - from);
    // OR IGNORE so that SQLite needs no statement journal; the caller vouched these are new, so
    // a clash means a damaged log and stops the batch rather than drop a change.
    auto st = store_.db().cached_all_rebound(
        "INSERT OR IGNORE INTO change_log (site, site_seq, tbl, row_id, center, hlc, operator, body) VALUES " +
        values_list(n, kParams));
    if (!st.ok()) return st.status();
    Stmt& s = **st;
    bodies.clear();
    for (std::size_t k = 0; k < n; ++k) bodies.push_back(pack_log_body(queued_[from + k].cells));
    for (std::size_t k = 0; k < n; ++k) {
      const LogRecord& r = queued_[from + k];
      const int p = static_cast<int>(k * kParams);
      s.bind(p + 1, r.site).bind(p + 2, r.site_seq).bind(p + 3, r.table).bind_ref(p + 4, *r.row_id);
      s.bind_ref(p + 5, *r.center).bind(p + 6, r.hlc).bind_ref(p + 7, *r.op).bind_blob_ref(p + 8, bodies[k]);
    }
    EPSYNC_RETURN_IF_ERROR(s.run_all_rebound());  // binds every parameter above
    if (static_cast<std::size_t>(store_.db().changes()) != n)
      return Status::Corrupt("the change log holds changes its high-water marks do not count");
  }
  return Status::Ok();
}

Status NewRowRun::create_rows(int table, const std::vector<const LogRecord*>& rows,
                              const std::function<Status(const LogRecord&)>& existing, std::int64_t& applied) {
  const TableDef& def = store_.model().table(table);
  const std::size_t params = def.columns.size() + 2;  // id, versions, the columns
  const int deleted = def.column_index(kDeletedColumn);
  std::string names = "id, " + std::string(kVersionsColumn);
  for (const auto& col : def.columns) names += ", " + col.name;
  std::vector<std::string> versions;
  std::vector<const Value*> values(def.columns.size());
  std::vector<CellVersion> cell_versions(def.columns.size());
  for (std::size_t from = 0; from < rows.size(); from += kRowsPerStatement) {
    const std::size_t n = std::min(kRowsPerStatement, rows.size() - from);
    auto st = store_.db().cached_all_rebound("INSERT OR IGNORE INTO " + def.name + " (" + names + ") VALUES " +
                                 values_list(n, params));
    if (!st.ok()) return st.status();
    Stmt& s = **st;
    versions.clear();
    for (std::size_t k = 0; k < n; ++k) {
      const LogRecord& r = *rows[from + k];
      std::fill(cell_versions.begin(), cell_versions.end(), CellVersion{});
      for (const auto& lc : r.cells)
        cell_versions[static_cast<size_t>(lc.column)] = {r.hlc, r.site, lc.prev_hlc, lc.prev_site};
      versions.push_back(pack_versions(cell_versions));
    }
    for (std::size_t k = 0; k < n; ++k) {
      const LogRecord& r = *rows[from + k];
      std::fill(values.begin(), values.end(), nullptr);
      for (const auto& lc : r.cells) values[static_cast<size_t>(lc.column)] = lc.value;
      const int p = static_cast<int>(k * params);
      s.bind_ref(p + 1, *r.row_id).bind_blob_ref(p + 2, versions[k]);
      for (std::size_t i = 0; i < values.size(); ++i) {
        const int at = p + 3 + static_cast<int>(i);
        // deleted is NOT NULL DEFAULT 0: a row whose first write leaves it out is "not deleted".
        if (values[i]) s.bind_ref(at, *values[i]);
        else if (static_cast<int>(i) == deleted) s.bind(at, std::int64_t{0});
        else s.bind_null(at);
      }
    }
    EPSYNC_RETURN_IF_ERROR(s.run_all_rebound());  // binds every parameter above
    if (static_cast<std::size_t>(store_.db().changes()) == n) {
      for (std::size_t k = 0; k < n; ++k) applied += static_cast<std::int64_t>(rows[from + k]->cells.size());
      continue;
    }
    // Some rows were here already (rare: written before their first write arrived). A row this
    // statement created carries this change's version on its owner cell; any other is merged.
    for (std::size_t k = 0; k < n; ++k) {
      const LogRecord& r = *rows[from + k];
      auto row = store_.rows().load(table, *r.row_id);
      if (!row.ok()) return row.status();
      const CellVersion& owner = row->versions[0];
      if (owner.hlc == r.hlc && owner.site == r.site) {
        applied += static_cast<std::int64_t>(r.cells.size());
      } else {
        EPSYNC_RETURN_IF_ERROR(existing(r));
      }
    }
  }
  return Status::Ok();
}

}  // namespace epsync
