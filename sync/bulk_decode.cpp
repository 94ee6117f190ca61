#include "sync/bulk_decode.h"

#include <msgpack.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace epsync::sync {

namespace {

// Where the parser is: the message map, the changes array, one row change, its cells, one cell.
enum class Role { kMessage, kChanges, kRow, kCells, kCell };

struct Frame {
  Role role;
  std::int64_t item = -1;  // index of the element being read
};

// The message's scalar fields that push and changes use; the first occurrence of a key wins, as
// in the general decoder.
struct Fields {
  std::string_view type;
  std::uint64_t batch = 0;
  std::int64_t next_cursor = 0;
  std::string_view next_check;
  bool more = false, cursor_reset = false;
  unsigned seen = 0;  // bit per field below
  enum : unsigned { kType = 1, kBatch = 2, kNextCursor = 4, kNextCheck = 8, kMore = 16, kReset = 32, kChanges = 64 };
};

// Every callback returns false to stop the parse: the general decoder then takes over.
class BulkVisitor : public msgpack::null_visitor {
 public:
  explicit BulkVisitor(std::size_t payload_size)
      : most_(std::min<std::size_t>(payload_size, 1 << 20)) {}

  Fields fields;
  std::vector<RowChange> changes;

  bool visit_nil() { return cell_value(std::monostate{}); }
  bool visit_boolean(bool v) {
    if (!at_message_value()) return false;
    if (key_ == "more") return set(Fields::kMore, [&] { fields.more = v; });
    if (key_ == "cursor_reset") return set(Fields::kReset, [&] { fields.cursor_reset = v; });
    return !known_key();
  }
  bool visit_positive_integer(std::uint64_t v) {
    if (at_message_value() && key_ == "batch") return set(Fields::kBatch, [&] { fields.batch = v; });
    if (v > static_cast<std::uint64_t>(INT64_MAX)) return at_message_value() && !known_key();
    return integer(static_cast<std::int64_t>(v));
  }
  bool visit_negative_integer(std::int64_t v) {
    // msgpack-c reads a signed encoding of a non-negative number as a positive integer.
    if (v >= 0) return visit_positive_integer(static_cast<std::uint64_t>(v));
    if (at_message_value() && key_ == "batch") return false;
    return integer(v);
  }
  bool visit_float32(float v) { return visit_float64(static_cast<double>(v)); }
  bool visit_float64(double v) {
    if (at_message_value()) return !known_key();
    return cell_value(v);
  }
  bool visit_str(const char* p, std::uint32_t n) {
    if (n > kMaxFrameBytes) return false;  // the general decoder's limit (a frame cannot hold one)
    std::string_view s(p, n);
    if (in_key_) {
      key_ = s;
      return true;
    }
    if (at_message_value()) {
      if (key_ == "type") return set(Fields::kType, [&] { fields.type = s; });
      if (key_ == "next_check") return set(Fields::kNextCheck, [&] { fields.next_check = s; });
      return !known_key();
    }
    if (stack_.empty()) return false;
    Frame& f = stack_.back();
    if (f.role == Role::kRow) {
      RowChange& c = changes.back();
      switch (f.item) {
        case 0: c.table = s; return true;
        case 1: c.row_id = s; return true;
        case 2: c.center = s; return true;
        case 4: c.site = s; return true;
        case 6: c.op = s; return true;
        default: return false;
      }
    }
    if (f.role == Role::kCell) {
      CellChange& cell = changes.back().cells.back();
      switch (f.item) {
        case 0: cell.column = s; return true;
        case 1: cell.value = std::string(s); return true;
        case 3: cell.prev_site = s; return true;
        default: return false;
      }
    }
    return false;
  }
  bool visit_bin(const char*, std::uint32_t n) { return n <= kMaxFrameBytes && at_message_value() && !known_key(); }
  bool visit_ext(const char*, std::uint32_t n) { return n <= kMaxFrameBytes && at_message_value() && !known_key(); }

  bool start_array(std::uint32_t n) {
    if (n > most_ || stack_.empty()) return false;
    Frame& parent = stack_.back();
    switch (parent.role) {
      case Role::kMessage:
        // Only the first "changes" is read, as in the general decoder; other arrays are left to it.
        if (in_key_ || key_ != "changes" || (fields.seen & Fields::kChanges)) return false;
        fields.seen |= Fields::kChanges;
        changes.reserve(std::min<std::size_t>(n, most_ / 64));  // a claimed size is not yet a promise
        return push(Role::kChanges);
      case Role::kChanges:
        if (n != 8) return false;
        changes.emplace_back();
        return push(Role::kRow);
      case Role::kRow:
        if (parent.item != 7) return false;
        changes.back().cells.reserve(std::min<std::uint32_t>(n, 64));
        return push(Role::kCells);
      case Role::kCells:
        if (n != 4) return false;
        changes.back().cells.emplace_back();
        return push(Role::kCell);
      case Role::kCell:
        return false;
    }
    return false;
  }
  bool start_array_item() {
    ++stack_.back().item;
    return true;
  }
  bool end_array() {
    stack_.pop_back();
    return true;
  }
  bool start_map(std::uint32_t n) {
    if (!stack_.empty() || n > std::min<std::size_t>(most_, 64)) return false;  // only the message is a map
    return push(Role::kMessage);
  }
  bool start_map_key() {
    in_key_ = true;
    key_ = {};  // a key that is not a string matches no field
    return true;
  }
  bool end_map_key() {
    in_key_ = false;
    return true;
  }
  bool end_map() {
    stack_.pop_back();
    return true;
  }

 private:
  bool push(Role r) {
    stack_.push_back(Frame{r});
    return true;
  }
  bool at_message_value() const { return !in_key_ && stack_.size() == 1; }
  // A field push or changes reads, or "changes" itself: present with another type, the general
  // decoder reports it.
  bool known_key() const {
    for (std::string_view k : {"type", "batch", "changes", "next_cursor", "next_check", "more", "cursor_reset"})
      if (key_ == k) return true;
    return false;
  }
  template <typename Assign>
  bool set(unsigned bit, Assign assign) {
    if (!(fields.seen & bit)) {
      fields.seen |= bit;
      assign();
    }
    return true;
  }
  bool integer(std::int64_t v) {
    if (in_key_) {  // an integer key matches no field
      return true;
    }
    if (at_message_value()) {
      if (key_ == "next_cursor") return set(Fields::kNextCursor, [&] { fields.next_cursor = v; });
      return !known_key();
    }
    if (stack_.empty()) return false;
    Frame& f = stack_.back();
    if (f.role == Role::kRow) {
      if (f.item == 3) changes.back().hlc = v;
      else if (f.item == 5) changes.back().site_seq = v;
      else return false;
      return true;
    }
    if (f.role == Role::kCell) {
      if (f.item == 1) changes.back().cells.back().value = v;
      else if (f.item == 2) changes.back().cells.back().prev_hlc = v;
      else return false;
      return true;
    }
    return false;
  }
  bool cell_value(Value v) {
    if (in_key_) return true;
    if (at_message_value()) return !known_key();
    if (stack_.empty() || stack_.back().role != Role::kCell || stack_.back().item != 1) return false;
    changes.back().cells.back().value = std::move(v);
    return true;
  }

  const std::size_t most_;  // no container may claim more elements than this
  std::vector<Frame> stack_;
  bool in_key_ = false;
  std::string_view key_;
};

}  // namespace

std::optional<Message> decode_bulk_message(std::string_view payload) {
  BulkVisitor v(payload.size());
  std::size_t offset = 0;
  try {
    if (!msgpack::parse(payload.data(), payload.size(), offset, v) || offset != payload.size()) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  const Fields& f = v.fields;
  auto has = [&](unsigned bits) { return (f.seen & bits) == bits; };
  if (!has(Fields::kType | Fields::kChanges)) return std::nullopt;
  if (f.type == "push" && has(Fields::kBatch)) return Message{Push{f.batch, std::move(v.changes)}};
  if (f.type == "changes" && has(Fields::kNextCursor | Fields::kNextCheck | Fields::kMore | Fields::kReset))
    return Message{Changes{std::move(v.changes), f.next_cursor, std::string(f.next_check), f.more, f.cursor_reset}};
  return std::nullopt;
}

}  // namespace epsync::sync
