// Compact binary packing for what the store keeps as BLOBs (per-cell versions, log bodies):
// LEB128 varints, zigzag for signed values, and tagged Values. Internal to storage/.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "storage/value.h"

namespace epsync::pack {

inline void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}
inline void put_signed(std::string& out, std::int64_t v) {
  put_varint(out, (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
}

// Reads from a byte range; any overrun marks the reader failed instead of reading past the end.
class Reader {
 public:
  explicit Reader(std::string_view b) : b_(b) {}
  bool ok() const { return ok_; }
  bool done() const { return pos_ >= b_.size(); }
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= b_.size()) return fail();
      auto c = static_cast<unsigned char>(b_[pos_++]);
      v |= static_cast<std::uint64_t>(c & 0x7f) << shift;
      if (!(c & 0x80)) return v;
    }
    return fail();
  }
  std::int64_t signed_varint() {
    std::uint64_t u = varint();
    return static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1));
  }
  std::uint8_t byte() {
    if (pos_ >= b_.size()) return static_cast<std::uint8_t>(fail());
    return static_cast<std::uint8_t>(b_[pos_++]);
  }
  std::string_view bytes(std::uint64_t n) {
    if (n > b_.size() - pos_) {
      fail();
      return {};
    }
    auto s = b_.substr(pos_, n);
    pos_ += n;
    return s;
  }

 private:
  std::uint64_t fail() {
    ok_ = false;
    pos_ = b_.size();
    return 0;
  }
  std::string_view b_;
  size_t pos_ = 0;
  bool ok_ = true;
};

enum : std::uint8_t { kNull = 0, kInt = 1, kReal = 2, kText = 3 };

inline void put_value(std::string& out, const Value& v) {
  if (auto* i = std::get_if<std::int64_t>(&v)) {
    out += static_cast<char>(kInt);
    put_signed(out, *i);
  } else if (auto* d = std::get_if<double>(&v)) {
    out += static_cast<char>(kReal);
    char buf[8];
    std::memcpy(buf, d, 8);
    out.append(buf, 8);
  } else if (auto* s = std::get_if<std::string>(&v)) {
    out += static_cast<char>(kText);
    put_varint(out, s->size());
    out += *s;
  } else {
    out += static_cast<char>(kNull);
  }
}

// The text of a text value is a view into the reader's bytes.
inline ValueView get_value(Reader& r) {
  switch (r.byte()) {
    case kNull: return std::monostate{};
    case kInt: return r.signed_varint();
    case kReal: {
      auto b = r.bytes(8);
      double d = 0;
      if (b.size() == 8) std::memcpy(&d, b.data(), 8);
      return d;
    }
    case kText: return r.bytes(r.varint());
    default:
      r.bytes(~0ull);  // unknown tag: fail the reader
      return std::monostate{};
  }
}

}  // namespace epsync::pack
