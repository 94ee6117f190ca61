#include "sync/codec.h"

#include <msgpack.hpp>

#include <algorithm>
#include <cstring>

#include "sync/bulk_decode.h"

namespace epsync::sync {

namespace {

using Packer = msgpack::packer<msgpack::sbuffer>;

// msgpack output into a std::string.
struct StringSink {
  std::string& out;
  void write(const char* p, std::size_t n) { out.append(p, n); }
};

template <class P>
void pack_str(P& p, std::string_view s) {
  p.pack_str(static_cast<std::uint32_t>(s.size()));
  p.pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
}

// Always a float 64. msgpack-c's pack_double writes a whole-numbered double as an integer, so
// 3.0 arrived as 3, and 2^63 as an integer no peer accepts (found by fuzz_codec).
template <class P>
void pack_float64(P& p, double d) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &d, sizeof bits);
  char out[9];
  out[0] = static_cast<char>(0xcb);
  for (int i = 0; i < 8; ++i) out[1 + i] = static_cast<char>(bits >> (56 - 8 * i));
  p.pack_bin_body(out, sizeof out);  // appends the bytes as they are
}

// Value or ValueView: null, integer, float or text.
template <class P, class V>
void pack_value(P& p, const V& v) {
  if (auto* i = std::get_if<std::int64_t>(&v)) p.pack_int64(*i);
  else if (auto* d = std::get_if<double>(&v)) pack_float64(p, *d);
  else if (std::holds_alternative<std::monostate>(v)) p.pack_nil();
  else pack_str(p, std::get<3>(v));
}

// [table, row_id, center, hlc, site, site_seq, operator, [[column, value, prev_hlc, prev_site], ...]]
// for a RowChange or a RowChangeView alike.
template <class P, class Change>
void pack_row_change(P& p, const Change& c) {
  p.pack_array(8);
  pack_str(p, c.table);
  pack_str(p, c.row_id);
  pack_str(p, c.center);
  p.pack_int64(c.hlc);
  pack_str(p, c.site);
  p.pack_int64(c.site_seq);
  pack_str(p, c.op);
  p.pack_array(static_cast<std::uint32_t>(c.cells.size()));
  for (const auto& cell : c.cells) {
    p.pack_array(4);
    pack_str(p, cell.column);
    pack_value(p, cell.value);
    p.pack_int64(cell.prev_hlc);
    pack_str(p, cell.prev_site);
  }
}

void pack_changes(Packer& p, const std::vector<RowChange>& changes) {
  p.pack_array(static_cast<std::uint32_t>(changes.size()));
  for (const auto& c : changes) pack_row_change(p, c);
}

// Writes {"type": name, k1: v1, ...}: `fields` is the number of pairs after the type.
void begin(Packer& p, const char* type, std::uint32_t fields) {
  p.pack_map(fields + 1);
  pack_str(p, "type");
  pack_str(p, type);
}

struct Encoder {
  Packer& p;
  void operator()(const Hello& m) {
    begin(p, "hello", 8);
    pack_str(p, "proto_min"); p.pack_int(m.proto_min);
    pack_str(p, "proto_max"); p.pack_int(m.proto_max);
    pack_str(p, "schema_min"); p.pack_int(m.schema_min);
    pack_str(p, "schema_max"); p.pack_int(m.schema_max);
    pack_str(p, "center"); pack_str(p, m.center);
    pack_str(p, "site"); pack_str(p, m.site);
    pack_str(p, "agent_version"); pack_str(p, m.agent_version);
    pack_str(p, "compression");
    p.pack_array(static_cast<std::uint32_t>(m.compression.size()));
    for (const auto& c : m.compression) pack_str(p, c);
  }
  void operator()(const Welcome& m) {
    begin(p, "welcome", 8);
    pack_str(p, "proto"); p.pack_int(m.proto);
    pack_str(p, "schema"); p.pack_int(m.schema);
    pack_str(p, "epoch"); pack_str(p, m.epoch);
    pack_str(p, "hwm"); p.pack_int64(m.hwm);
    pack_str(p, "hub_time_ms"); p.pack_int64(m.hub_time_ms);
    pack_str(p, "compression"); pack_str(p, m.compression);
    pack_str(p, "max_batch_bytes"); p.pack_int64(m.max_batch_bytes);
    pack_str(p, "skew_bound_ms"); p.pack_int64(m.skew_bound_ms);
  }
  void operator()(const Heartbeat& m) {
    begin(p, "heartbeat", 8);
    pack_str(p, "agent_version"); pack_str(p, m.agent_version);
    pack_str(p, "pending"); p.pack_int64(m.pending);
    pack_str(p, "last_site_seq"); p.pack_int64(m.last_site_seq);
    pack_str(p, "oldest_pending_age_s"); p.pack_int64(m.oldest_pending_age_s);
    pack_str(p, "clock_offset_ms"); p.pack_int64(m.clock_offset_ms);
    pack_str(p, "free_disk_bytes"); p.pack_int64(m.free_disk_bytes);
    pack_str(p, "cert_expires_at"); p.pack_int64(m.cert_expires_at);
    pack_str(p, "last_error"); pack_str(p, m.last_error);
  }
  void operator()(const Push& m) {
    begin(p, "push", 2);
    pack_str(p, "batch"); p.pack_uint64(m.batch);
    pack_str(p, "changes"); pack_changes(p, m.changes);
  }
  void operator()(const Ack& m) {
    begin(p, "ack", 3);
    pack_str(p, "batch"); p.pack_uint64(m.batch);
    pack_str(p, "hwm"); p.pack_int64(m.hwm);
    pack_str(p, "quarantined");
    p.pack_array(static_cast<std::uint32_t>(m.quarantined.size()));
    for (const auto& q : m.quarantined) {
      p.pack_array(2);
      p.pack_int64(q.site_seq);
      pack_str(p, q.reason);
    }
  }
  void operator()(const Pull& m) {
    begin(p, "pull", 3);
    pack_str(p, "cursor"); p.pack_int64(m.cursor);
    pack_str(p, "cursor_check"); pack_str(p, m.cursor_check);
    pack_str(p, "max_bytes"); p.pack_int64(m.max_bytes);
  }
  void operator()(const Changes& m) {
    begin(p, "changes", 5);
    pack_str(p, "changes"); pack_changes(p, m.changes);
    pack_str(p, "next_cursor"); p.pack_int64(m.next_cursor);
    pack_str(p, "next_check"); pack_str(p, m.next_check);
    pack_str(p, "more"); m.more ? p.pack_true() : p.pack_false();
    pack_str(p, "cursor_reset"); m.cursor_reset ? p.pack_true() : p.pack_false();
  }
  void operator()(const Ping&) { begin(p, "ping", 0); }
  void operator()(const Pong&) { begin(p, "pong", 0); }
  void operator()(const Bye&) { begin(p, "bye", 0); }
  void operator()(const Error& m) {
    begin(p, "error", m.site_seq > 0 ? 3 : 2);
    pack_str(p, "code"); pack_str(p, m.code);
    pack_str(p, "message"); pack_str(p, m.message);
    if (m.site_seq > 0) {
      pack_str(p, "site_seq"); p.pack_int64(m.site_seq);
    }
  }
};

// ---- decoding ----

struct Bad {
  std::string what;
};

std::string_view as_str(const msgpack::object& o, const char* what) {
  if (o.type != msgpack::type::STR) throw Bad{std::string(what) + " must be a string"};
  return {o.via.str.ptr, o.via.str.size};
}

std::int64_t as_int(const msgpack::object& o, const char* what) {
  if (o.type == msgpack::type::POSITIVE_INTEGER) {
    if (o.via.u64 > static_cast<std::uint64_t>(INT64_MAX)) throw Bad{std::string(what) + " is out of range"};
    return static_cast<std::int64_t>(o.via.u64);
  }
  if (o.type == msgpack::type::NEGATIVE_INTEGER) return o.via.i64;
  throw Bad{std::string(what) + " must be an integer"};
}

bool as_bool(const msgpack::object& o, const char* what) {
  if (o.type != msgpack::type::BOOLEAN) throw Bad{std::string(what) + " must be true or false"};
  return o.via.boolean;
}

const msgpack::object_array& as_array(const msgpack::object& o, const char* what) {
  if (o.type != msgpack::type::ARRAY) throw Bad{std::string(what) + " must be an array"};
  return o.via.array;
}

Value as_value(const msgpack::object& o) {
  switch (o.type) {
    case msgpack::type::NIL: return std::monostate{};
    case msgpack::type::POSITIVE_INTEGER:
    case msgpack::type::NEGATIVE_INTEGER: return as_int(o, "value");
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64: return o.via.f64;
    case msgpack::type::STR: return std::string(as_str(o, "value"));
    default: throw Bad{"a cell value must be nil, an integer, a float or a string"};
  }
}

// A map's fields by name; unknown fields are ignored (newer peers may add some).
class Fields {
 public:
  explicit Fields(const msgpack::object& o) {
    if (o.type != msgpack::type::MAP) throw Bad{"a message must be a map"};
    map_ = &o.via.map;
  }
  const msgpack::object* find(std::string_view name) const {
    for (std::uint32_t i = 0; i < map_->size; ++i) {
      const auto& kv = map_->ptr[i];
      if (kv.key.type == msgpack::type::STR && std::string_view(kv.key.via.str.ptr, kv.key.via.str.size) == name)
        return &kv.val;
    }
    return nullptr;
  }
  const msgpack::object& get(const char* name) const {
    auto* o = find(name);
    if (!o) throw Bad{std::string("missing field ") + name};
    return *o;
  }
  std::string str(const char* n) const { return std::string(as_str(get(n), n)); }
  std::int64_t i64(const char* n) const { return as_int(get(n), n); }
  int i32(const char* n) const {
    auto v = i64(n);
    if (v < INT32_MIN || v > INT32_MAX) throw Bad{std::string(n) + " is out of range"};
    return static_cast<int>(v);
  }
  bool boolean(const char* n) const { return as_bool(get(n), n); }
  // Batch numbers are unsigned on the wire: a negative one is malformed, not a huge one.
  std::uint64_t u64(const char* n) const {
    const msgpack::object& o = get(n);
    if (o.type != msgpack::type::POSITIVE_INTEGER) throw Bad{std::string(n) + " must be a non-negative integer"};
    return o.via.u64;
  }

 private:
  const msgpack::object_map* map_;
};

RowChange row_change_of(const msgpack::object& o) {
  const auto& a = as_array(o, "a change");
  if (a.size != 8) throw Bad{"a change must have 8 elements"};
  RowChange c;
  c.table = as_str(a.ptr[0], "table");
  c.row_id = as_str(a.ptr[1], "row id");
  c.center = as_str(a.ptr[2], "center");
  c.hlc = as_int(a.ptr[3], "hlc");
  c.site = as_str(a.ptr[4], "site");
  c.site_seq = as_int(a.ptr[5], "site_seq");
  c.op = as_str(a.ptr[6], "operator");
  const auto& cells = as_array(a.ptr[7], "cells");
  c.cells.reserve(cells.size);
  for (std::uint32_t i = 0; i < cells.size; ++i) {
    const auto& cell = as_array(cells.ptr[i], "a cell");
    if (cell.size != 4) throw Bad{"a cell must have 4 elements"};
    c.cells.push_back({std::string(as_str(cell.ptr[0], "column")), as_value(cell.ptr[1]),
                       as_int(cell.ptr[2], "prev_hlc"), std::string(as_str(cell.ptr[3], "prev_site"))});
  }
  return c;
}

std::vector<RowChange> changes_of(const msgpack::object& o) {
  const auto& a = as_array(o, "changes");
  std::vector<RowChange> out;
  out.reserve(a.size);
  for (std::uint32_t i = 0; i < a.size; ++i) out.push_back(row_change_of(a.ptr[i]));
  return out;
}

Hello decode_hello(const Fields& f) {
  Hello m;
  m.proto_min = f.i32("proto_min");
  m.proto_max = f.i32("proto_max");
  m.schema_min = f.i32("schema_min");
  m.schema_max = f.i32("schema_max");
  m.center = f.str("center");
  m.site = f.str("site");
  m.agent_version = f.str("agent_version");
  const auto& c = as_array(f.get("compression"), "compression");
  for (std::uint32_t i = 0; i < c.size; ++i) m.compression.emplace_back(as_str(c.ptr[i], "compression"));
  return m;
}

Welcome decode_welcome(const Fields& f) {
  Welcome m;
  m.proto = f.i32("proto");
  m.schema = f.i32("schema");
  m.epoch = f.str("epoch");
  m.hwm = f.i64("hwm");
  m.hub_time_ms = f.i64("hub_time_ms");
  m.compression = f.str("compression");
  m.max_batch_bytes = f.i64("max_batch_bytes");
  m.skew_bound_ms = f.i64("skew_bound_ms");
  return m;
}

Heartbeat decode_heartbeat(const Fields& f) {
  Heartbeat m;
  m.agent_version = f.str("agent_version");
  m.pending = f.i64("pending");
  m.last_site_seq = f.i64("last_site_seq");
  m.oldest_pending_age_s = f.i64("oldest_pending_age_s");
  m.clock_offset_ms = f.i64("clock_offset_ms");
  m.free_disk_bytes = f.i64("free_disk_bytes");
  m.cert_expires_at = f.i64("cert_expires_at");
  m.last_error = f.str("last_error");
  return m;
}

Ack decode_ack(const Fields& f) {
  Ack m;
  m.batch = f.u64("batch");
  m.hwm = f.i64("hwm");
  const auto& q = as_array(f.get("quarantined"), "quarantined");
  for (std::uint32_t i = 0; i < q.size; ++i) {
    const auto& e = as_array(q.ptr[i], "a quarantined entry");
    if (e.size != 2) throw Bad{"a quarantined entry must have 2 elements"};
    m.quarantined.push_back({as_int(e.ptr[0], "site_seq"), std::string(as_str(e.ptr[1], "reason"))});
  }
  return m;
}

Message decode(const msgpack::object& root) {
  Fields f(root);
  std::string type = f.str("type");
  if (type == "hello") return decode_hello(f);
  if (type == "welcome") return decode_welcome(f);
  if (type == "heartbeat") return decode_heartbeat(f);
  if (type == "push") {
    Push m;
    m.batch = f.u64("batch");
    m.changes = changes_of(f.get("changes"));
    return m;
  }
  if (type == "ack") return decode_ack(f);
  if (type == "pull") {
    Pull m;
    m.cursor = f.i64("cursor");
    m.cursor_check = f.str("cursor_check");
    m.max_bytes = f.i64("max_bytes");
    return m;
  }
  if (type == "changes") {
    Changes m;
    m.changes = changes_of(f.get("changes"));
    m.next_cursor = f.i64("next_cursor");
    m.next_check = f.str("next_check");
    m.more = f.boolean("more");
    m.cursor_reset = f.boolean("cursor_reset");
    return m;
  }
  if (type == "ping") return Ping{};
  if (type == "pong") return Pong{};
  if (type == "bye") return Bye{};
  if (type == "error") {
    Error m{f.str("code"), f.str("message")};
    // Optional: the change a definite refusal is about (docs/PROTOCOL.md section 5).
    if (f.find("site_seq")) m.site_seq = f.i64("site_seq");
    return m;
  }
  throw Bad{"unknown message type '" + type.substr(0, 40) + "'"};
}

}  // namespace

const char* message_name(const Message& m) {
  static const char* kNames[] = {"hello", "welcome", "heartbeat", "push", "ack", "pull",
                                 "changes", "ping", "pong", "bye", "error"};
  return kNames[m.index()];
}

std::string encode_message(const Message& m) {
  std::size_t estimate = 256;
  const std::vector<RowChange>* changes = nullptr;
  if (auto* push = std::get_if<Push>(&m)) changes = &push->changes;
  if (auto* pulled = std::get_if<Changes>(&m)) changes = &pulled->changes;
  if (changes)
    for (const auto& c : *changes) estimate += encoded_size(c);
  msgpack::sbuffer buf(estimate);  // a batch is written without growing its buffer again and again
  Packer p(&buf);
  std::visit(Encoder{p}, m);
  return std::string(buf.data(), buf.size());
}

Result<Message> decode_message(std::string_view payload) {
  if (auto bulk = decode_bulk_message(payload)) return std::move(*bulk);
  return decode_message_generally(payload);
}

Result<Message> decode_message_generally(std::string_view payload) {
  try {
    // Limits well inside a 4 MiB frame: no container can claim more elements than bytes exist.
    // Every element takes at least one byte, so no array may claim more than the payload holds
    // (msgpack reserves memory for a declared array size before reading its elements).
    const auto most = static_cast<std::size_t>(std::min<std::size_t>(payload.size(), 1 << 20));
    msgpack::unpack_limit limit(most, std::min<std::size_t>(most, 64), kMaxFrameBytes, kMaxFrameBytes, kMaxFrameBytes, 8);
    std::size_t offset = 0;
    // Strings and binaries point into `payload`, which outlives the object tree: decode() copies
    // what it keeps. Copying them into the tree first was 8% of the hub's network thread in B1.
    auto by_reference = [](msgpack::type::object_type, std::size_t, void*) { return true; };
    msgpack::object_handle oh = msgpack::unpack(payload.data(), payload.size(), offset, by_reference, nullptr, limit);
    if (offset != payload.size()) return Status::InvalidInput("bad message: trailing bytes after the message");
    return decode(oh.get());
  } catch (const Bad& b) {
    return Status::InvalidInput("bad message: " + b.what);
  } catch (const std::exception& e) {
    return Status::InvalidInput(std::string("bad message: not msgpack (") + e.what() + ")");
  }
}

void PushBatch::grow(std::size_t n) { changes_.resize(std::max(2 * changes_.size(), used_ + n + 4096)); }

bool PushBatch::add(const RowChangeView& c, std::size_t max_bytes) {
  const std::size_t before = used_;
  msgpack::packer<PushBatch> p(*this);
  pack_row_change(p, c);
  if (count_ > 0 && used_ > max_bytes) {
    used_ = before;
    return false;
  }
  ++count_;
  last_site_seq_ = c.site_seq;
  return true;
}

void PushBatch::add(const RowChange& c) {
  msgpack::packer<PushBatch> p(*this);
  pack_row_change(p, c);
  ++count_;
  last_site_seq_ = c.site_seq;
}

std::string PushBatch::message(std::uint64_t batch) const {
  std::string out;
  out.reserve(64 + used_);
  StringSink sink{out};
  msgpack::packer<StringSink> p(sink);
  p.pack_map(3);  // the same bytes as the Encoder's Push
  pack_str(p, "type");
  pack_str(p, "push");
  pack_str(p, "batch");
  p.pack_uint64(batch);
  pack_str(p, "changes");
  p.pack_array(count_);
  out.append(changes_.data(), used_);
  return out;
}

std::size_t encoded_size(const RowChange& c) {
  std::size_t n = 40 + c.table.size() + c.row_id.size() + c.center.size() + c.site.size() + c.op.size();
  for (const auto& cell : c.cells) {
    n += 16 + cell.column.size() + cell.prev_site.size();
    if (auto* s = std::get_if<std::string>(&cell.value)) n += s->size();
  }
  return n;
}

}  // namespace epsync::sync
