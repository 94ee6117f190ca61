#include "sync/frame.h"

#include <zstd.h>

#include <memory>

namespace epsync::sync {

namespace {

// One zstd context per thread, kept: ZSTD_compress and ZSTD_decompress set a new one up for
// every frame. Should a context not be made (no memory), the one-shot calls are used instead.
ZSTD_CCtx* compressor() {
  thread_local std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> c(ZSTD_createCCtx(), &ZSTD_freeCCtx);
  return c.get();
}

ZSTD_DCtx* decompressor() {
  thread_local std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> d(ZSTD_createDCtx(), &ZSTD_freeDCtx);
  return d.get();
}

size_t zstd_compress(char* out, size_t room, std::string_view in) {
  ZSTD_CCtx* c = compressor();
  return c ? ZSTD_compressCCtx(c, out, room, in.data(), in.size(), 1) : ZSTD_compress(out, room, in.data(), in.size(), 1);
}

size_t zstd_decompress(char* out, size_t room, std::string_view in) {
  ZSTD_DCtx* d = decompressor();
  return d ? ZSTD_decompressDCtx(d, out, room, in.data(), in.size()) : ZSTD_decompress(out, room, in.data(), in.size());
}

// The frame's header: the length of what follows it (flags and payload), big-endian.
void put_length(std::string& frame) {
  const auto n = static_cast<std::uint32_t>(frame.size() - 4);
  frame[0] = static_cast<char>(n >> 24);
  frame[1] = static_cast<char>(n >> 16);
  frame[2] = static_cast<char>(n >> 8);
  frame[3] = static_cast<char>(n);
}

}  // namespace

std::string make_frame(std::string_view payload, bool compress) {
  std::string frame;
  if (compress) {
    frame.resize(5 + ZSTD_compressBound(payload.size()));
    size_t n = zstd_compress(frame.data() + 5, frame.size() - 5, payload);
    if (!ZSTD_isError(n) && n < payload.size()) {
      frame.resize(5 + n);
      frame[4] = static_cast<char>(kFlagZstd);
      put_length(frame);
      return frame;
    }
    // incompressible: send as is
  }
  frame.resize(5);
  frame[4] = '\0';
  frame.append(payload.data(), payload.size());
  put_length(frame);
  return frame;
}

Result<std::optional<std::string>> FrameReader::next() {
  if (buffered() < 4) return std::optional<std::string>{};
  auto b = [&](size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(buf_[pos_ + i])); };
  std::uint32_t n = b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
  if (n == 0) return Status::InvalidInput("frame of length 0");
  if (n > max_)
    return Status::InvalidInput("frame of " + std::to_string(n) + " bytes exceeds the " +
                                std::to_string(max_) + "-byte limit");
  if (buffered() < 4 + static_cast<size_t>(n)) return std::optional<std::string>{};
  auto flags = static_cast<std::uint8_t>(buf_[pos_ + 4]);
  std::string_view payload(buf_.data() + pos_ + 5, n - 1);
  std::string out;
  if (flags & ~kFlagZstd) return Status::InvalidInput("frame with unknown flags");
  if ((flags & kFlagZstd) && !compressed_ok_)
    return Status::InvalidInput("frame: compressed, but compression was not agreed in the welcome");
  if (flags & kFlagZstd) {
    unsigned long long size = ZSTD_getFrameContentSize(payload.data(), payload.size());
    if (size == ZSTD_CONTENTSIZE_ERROR) return Status::InvalidInput("frame: not a zstd payload");
    if (size == ZSTD_CONTENTSIZE_UNKNOWN || size > max_)
      return Status::InvalidInput("frame: compressed payload would expand beyond the limit");
    out.resize(static_cast<size_t>(size));
    size_t got = zstd_decompress(out.data(), out.size(), payload);
    if (ZSTD_isError(got) || got != size) return Status::InvalidInput("frame: damaged zstd payload");
  } else {
    out.assign(payload);
  }
  pos_ += 4 + n;
  if (pos_ > (1u << 20) && pos_ * 2 > buf_.size()) {  // compact now and then
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  return std::optional<std::string>(std::move(out));
}

}  // namespace epsync::sync
