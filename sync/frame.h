// Framing: each frame is a 4-byte big-endian length L (1..4 MiB), then L bytes: one flags byte
// (bit 0: the payload is zstd-compressed) and the payload. The length is checked before anything
// is allocated, a compressed payload may not expand beyond the same limit, and a reader refuses
// compressed frames until the session has agreed on compression.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/status.h"
#include "sync/messages.h"

namespace epsync::sync {

inline constexpr std::uint8_t kFlagZstd = 1;

std::string make_frame(std::string_view payload, bool compress);

// Incremental: feed() whatever arrived, then take complete payloads with next().
class FrameReader {
 public:
  explicit FrameReader(std::uint32_t max_bytes = kMaxFrameBytes) : max_(max_bytes) {}
  void feed(std::string_view bytes) { buf_.append(bytes.data(), bytes.size()); }
  // The largest frame accepted from now on (the hub raises it once a session is welcomed).
  void set_limit(std::uint32_t max_bytes) { max_ = max_bytes; }
  // Whether a zstd frame is acceptable: only once the welcome agreed on compression. Until then
  // a frame with the zstd flag is refused before anything is decompressed.
  void allow_compressed(bool allowed) { compressed_ok_ = allowed; }
  // The next payload, nullopt when incomplete, or an error (too large, bad flags, bad zstd).
  Result<std::optional<std::string>> next();
  std::size_t buffered() const { return buf_.size() - pos_; }

 private:
  std::uint32_t max_;
  bool compressed_ok_ = true;
  std::string buf_;
  std::size_t pos_ = 0;
};

}  // namespace epsync::sync
