#include "storage/row_change.h"

namespace epsync {

RowChange to_row_change(const RowChangeView& v) {
  RowChange c;
  c.table = v.table;
  c.row_id = v.row_id;
  c.center = v.center;
  c.hlc = v.hlc;
  c.site = v.site;
  c.site_seq = v.site_seq;
  c.op = v.op;
  c.seq = v.seq;
  c.cells.reserve(v.cells.size());
  for (const auto& cell : v.cells)
    c.cells.push_back({std::string(cell.column), to_value(cell.value), cell.prev_hlc, std::string(cell.prev_site)});
  return c;
}

RowChangeView view_of(const RowChange& c) {
  RowChangeView v;
  v.table = c.table;
  v.row_id = c.row_id;
  v.center = c.center;
  v.hlc = c.hlc;
  v.site = c.site;
  v.site_seq = c.site_seq;
  v.op = c.op;
  v.seq = c.seq;
  v.cells.reserve(c.cells.size());
  for (const auto& cell : c.cells) v.cells.push_back({cell.column, view_of(cell.value), cell.prev_hlc, cell.prev_site});
  return v;
}

std::size_t cell_count(const std::vector<RowChange>& changes) {
  std::size_t n = 0;
  for (const auto& c : changes) n += c.cells.size();
  return n;
}

}  // namespace epsync
