// A row change: one write by one site to one row, the unit that travels between sites and that
// merge applies (SPEC §4). Owned (RowChange) or as views into bytes held elsewhere (RowChangeView:
// a change log row, a RowChange), so the wire encoder reads both. Plain types, no store code.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/hlc.h"
#include "storage/value.h"

namespace epsync {

// One cell of a row change. LWW is decided per cell.
struct CellChange {
  std::string column;
  Value value;
  HlcTime prev_hlc = 0;   // the version the writer overwrote; 0 and "" when the cell was empty
  std::string prev_site;
  bool operator==(const CellChange&) const = default;
};

// One write by one site to one row: its cells share the timestamp and the sequence number.
struct RowChange {
  std::string table;
  std::string row_id;
  std::string center;         // the row's owner: a centre id, or kReferenceOwner
  HlcTime hlc = 0;
  std::string site;           // the site that made it (128-bit id, hex)
  std::int64_t site_seq = 0;  // its number in that site's contiguous sequence: 1, 2, 3...
  std::string op;             // operator: who made it (an account name, never personal data)
  std::vector<CellChange> cells;
  std::int64_t seq = 0;       // position in the log it was read from; local, not replicated

  bool operator==(const RowChange& o) const {  // seq is local, so not compared
    return table == o.table && row_id == o.row_id && center == o.center && hlc == o.hlc &&
           site == o.site && site_seq == o.site_seq && op == o.op && cells == o.cells;
  }
};

// The fields of CellChange and RowChange, by the same names, so that code written for one
// (the wire encoder) reads the other.
struct CellView {
  std::string_view column;
  ValueView value;
  HlcTime prev_hlc = 0;
  std::string_view prev_site;
};

struct RowChangeView {
  std::string_view table;
  std::string_view row_id;
  std::string_view center;
  HlcTime hlc = 0;
  std::string_view site;
  std::int64_t site_seq = 0;
  std::string_view op;
  std::vector<CellView> cells;  // its capacity is reused from row to row
  std::int64_t seq = 0;
};

RowChange to_row_change(const RowChangeView& v);
// Views of a RowChange's own strings (valid while it lives and is unchanged).
RowChangeView view_of(const RowChange& c);

// Counts cells across row changes.
std::size_t cell_count(const std::vector<RowChange>& changes);

}  // namespace epsync
