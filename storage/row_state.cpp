#include "storage/internal/row_state.h"

#include "storage/internal/pack.h"
#include "storage/schema.h"

namespace epsync {

namespace {
// A row written once (every cell by the same write, nothing overwritten) is the common case; it
// is packed as this marker, the set of cells, and the one version, instead of a version per cell.
constexpr unsigned char kUniform = 0x7f;  // never a column position (those are < 64)
}  // namespace

std::string pack_versions(const std::vector<CellVersion>& v) {
  std::string out;
  std::uint64_t mask = 0;
  const CellVersion* first = nullptr;
  bool uniform = true;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i].hlc == 0) continue;
    mask |= std::uint64_t{1} << i;
    if (!first) first = &v[i];
    uniform = uniform && v[i].prev_hlc == 0 && v[i].hlc == first->hlc && v[i].site == first->site;
  }
  if (first && uniform) {
    out += static_cast<char>(kUniform);
    pack::put_varint(out, mask);
    pack::put_varint(out, static_cast<std::uint64_t>(first->hlc));
    pack::put_varint(out, static_cast<std::uint64_t>(first->site));
    return out;
  }
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i].hlc == 0) continue;
    pack::put_varint(out, i);
    pack::put_varint(out, static_cast<std::uint64_t>(v[i].hlc));
    pack::put_varint(out, static_cast<std::uint64_t>(v[i].site));
    pack::put_varint(out, static_cast<std::uint64_t>(v[i].prev_hlc));
    pack::put_varint(out, static_cast<std::uint64_t>(v[i].prev_site));
  }
  return out;
}

bool unpack_versions(std::string_view blob, std::vector<CellVersion>& out) {
  if (!blob.empty() && static_cast<unsigned char>(blob[0]) == kUniform) {
    pack::Reader r(blob.substr(1));
    std::uint64_t mask = r.varint();
    CellVersion cv;
    cv.hlc = static_cast<HlcTime>(r.varint());
    cv.site = static_cast<std::int64_t>(r.varint());
    if (!r.ok() || !r.done() || (out.size() < 64 && (mask >> out.size()) != 0)) return false;
    for (size_t i = 0; i < out.size(); ++i)
      if (mask & (std::uint64_t{1} << i)) out[i] = cv;
    return true;
  }
  pack::Reader r(blob);
  while (!r.done()) {
    auto i = r.varint();
    CellVersion cv;
    cv.hlc = static_cast<HlcTime>(r.varint());
    cv.site = static_cast<std::int64_t>(r.varint());
    cv.prev_hlc = static_cast<HlcTime>(r.varint());
    cv.prev_site = static_cast<std::int64_t>(r.varint());
    if (!r.ok() || i >= out.size()) return false;
    out[i] = cv;
  }
  return r.ok();
}

Result<RowState> RowStore::load(int table, const std::string& row_id) {
  const TableDef& t = model_.table(table);
  auto& st = select_[table];
  if (!st) {
    std::string sql = "SELECT " + std::string(kVersionsColumn);
    for (const auto& c : t.columns) sql += ", " + c.name;
    auto p = db_.prepare(sql + " FROM " + t.name + " WHERE id = ?");
    if (!p.ok()) return p.status();
    st = std::make_unique<Stmt>(std::move(p).value());
  }
  RowState row;
  row.values.resize(t.columns.size());
  row.versions.resize(t.columns.size());
  st->bind(1, row_id);
  auto r = st->step();
  if (!r.ok()) return r.status();
  if (r.value()) {
    row.exists = true;
    std::string blob = st->column_blob(0);
    for (size_t i = 0; i < t.columns.size(); ++i) row.values[i] = st->column_value(static_cast<int>(i + 1));
    if (!unpack_versions(blob, row.versions)) {
      st->reset();
      return Status::Corrupt(t.name + " row " + row_id + ": damaged cell versions");
    }
  }
  st->reset();
  return row;
}

Stmt* RowStore::insert_statement(int table, bool if_new) {
  auto& ins = (if_new ? insert_new_ : insert_)[table];
  if (!ins) {
    const TableDef& t = model_.table(table);
    std::string names = "id, " + std::string(kVersionsColumn), params = "?1, ?2";
    for (size_t i = 0; i < t.columns.size(); ++i) {
      names += ", " + t.columns[i].name;
      params += ", ?" + std::to_string(i + 3);
    }
    auto p = db_.prepare(std::string(if_new ? "INSERT OR IGNORE" : "INSERT") + " INTO " + t.name + " (" + names +
                         ") VALUES (" + params + ")");
    if (!p.ok()) return nullptr;
    ins = std::make_unique<Stmt>(std::move(p).value());
  }
  return ins.get();
}

namespace {
// `versions` is the packed blob, kept alive by the caller until the statement has run.
void bind_row(Stmt& st, const TableDef& t, const std::string& row_id, const RowState& row, const std::string& versions) {
  for (size_t i = 0; i < t.columns.size(); ++i) {
    // deleted is NOT NULL DEFAULT 0: a row built from other cells first is "not deleted" yet.
    if (is_null(row.values[i]) && t.columns[i].name == kDeletedColumn) st.bind(static_cast<int>(i + 3), std::int64_t{0});
    else st.bind_ref(static_cast<int>(i + 3), row.values[i]);
  }
  st.bind_ref(1, row_id);
  st.bind_blob_ref(2, versions);
}
}  // namespace

Result<bool> RowStore::insert_if_new(int table, const std::string& row_id, const RowState& row) {
  const TableDef& t = model_.table(table);
  Stmt* st = insert_statement(table, true);
  if (!st) return Status::IoError("cannot prepare the insert into " + t.name);
  const std::string versions = pack_versions(row.versions);
  bind_row(*st, t, row_id, row, versions);
  EPSYNC_RETURN_IF_ERROR(st->run());
  return db_.changes() > 0;
}

Status RowStore::write(int table, const std::string& row_id, const RowState& row, std::uint64_t changed) {
  const TableDef& t = model_.table(table);
  Stmt* st = nullptr;
  if (!row.exists) {
    st = insert_statement(table, false);
    if (!st) return Status::IoError("cannot prepare the insert into " + t.name);
    const std::string versions = pack_versions(row.versions);
    bind_row(*st, t, row_id, row, versions);
    return st->run();
  } else {
    auto& upd = update_[{table, changed}];
    if (!upd) {
      std::string sql = "UPDATE " + t.name + " SET " + std::string(kVersionsColumn) + " = ?2";
      for (size_t i = 0; i < t.columns.size(); ++i)
        if (changed & (std::uint64_t{1} << i)) sql += ", " + t.columns[i].name + " = ?" + std::to_string(i + 3);
      auto p = db_.prepare(sql + " WHERE id = ?1");
      if (!p.ok()) return p.status();
      upd = std::make_unique<Stmt>(std::move(p).value());
    }
    st = upd.get();
    for (size_t i = 0; i < t.columns.size(); ++i)
      if (changed & (std::uint64_t{1} << i)) st->bind_ref(static_cast<int>(i + 3), row.values[i]);
  }
  st->bind_ref(1, row_id);
  const std::string blob = pack_versions(row.versions);
  st->bind_blob_ref(2, blob);
  return st->run();
}

}  // namespace epsync
