#include "storage/change_view.h"

#include "storage/internal/log_record.h"
#include "storage/internal/pack.h"
#include "storage/schema.h"

namespace epsync {

Status view_log_row(Store& store, const Stmt& s, RowChangeView& out) {
  const auto& tables = store.model().tables;
  out.seq = s.column_int(0);
  auto site = store.site_uuid_view(s.column_int(1));
  if (!site.ok()) return site.status();
  out.site = site.value();
  out.site_seq = s.column_int(2);
  std::int64_t t = s.column_int(3);
  if (t < 0 || t >= static_cast<std::int64_t>(tables.size()))
    return Status::Corrupt("change log entry " + std::to_string(out.seq) + " names an unknown table");
  const TableDef& def = tables[static_cast<size_t>(t)];
  out.table = def.name;
  out.row_id = s.column_view(4);
  out.center = s.column_view(5);
  out.hlc = s.column_int(6);
  out.op = s.column_view(7);
  out.cells.clear();
  pack::Reader rd(s.column_blob_view(8));
  while (!rd.done()) {
    auto col = rd.varint();
    CellView& cell = out.cells.emplace_back();
    cell.value = pack::get_value(rd);
    cell.prev_hlc = static_cast<HlcTime>(rd.varint());
    auto prev_site = static_cast<std::int64_t>(rd.varint());
    if (!rd.ok() || col >= def.columns.size())
      return Status::Corrupt("change log entry " + std::to_string(out.seq) + " is damaged");
    cell.column = def.columns[col].name;
    if (prev_site) {
      auto ps = store.site_uuid_view(prev_site);
      if (!ps.ok()) return ps.status();
      cell.prev_site = ps.value();
    }
  }
  return Status::Ok();
}

Result<std::vector<RowChange>> read_log_rows(Store& store, Stmt& s) {
  std::vector<RowChange> out;
  RowChangeView view;
  for (;;) {
    auto r = s.step();
    if (!r.ok()) return r.status();
    if (!r.value()) break;
    EPSYNC_RETURN_IF_ERROR(view_log_row(store, s, view));
    out.push_back(to_row_change(view));
  }
  return out;
}

Result<SiteChangeScan> SiteChangeScan::open(Store& store, const std::string& site, std::int64_t after_site_seq) {
  auto key = store.known_site_key(site);
  if (!key.ok()) return key.status();
  if (key.value() == 0) return SiteChangeScan(store, nullptr);  // nothing from a site never seen
  auto st = store.db().cached(std::string("SELECT ") + kLogColumns +
                              " FROM change_log WHERE site = ?1 AND site_seq > ?2 ORDER BY site_seq");
  if (!st.ok()) return st.status();
  (*st)->bind(1, key.value()).bind(2, after_site_seq);
  return SiteChangeScan(store, *st);
}

SiteChangeScan::~SiteChangeScan() {
  if (stmt_) stmt_->reset();  // ends the statement's read transaction
}

Result<bool> SiteChangeScan::next(RowChangeView& out) {
  if (!stmt_) return false;
  auto r = stmt_->step();
  if (!r.ok() || !r.value()) return r;
  EPSYNC_RETURN_IF_ERROR(view_log_row(*store_, *stmt_, out));
  return true;
}

}  // namespace epsync
