// Message encoding: each message is one msgpack map with a "type" key (docs/PROTOCOL.md gives
// every field and its type). Decoding accepts only well-formed messages: a wrong type, a missing
// field or an oversized container is an InvalidInput error, never a crash.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "storage/row_change.h"
#include "storage/status.h"
#include "sync/messages.h"

namespace epsync::sync {

std::string encode_message(const Message& m);
Result<Message> decode_message(std::string_view payload);

// A Push message built change by change, straight from the log (the agent's bulk path, which
// builds no RowChange): the same bytes encode_message(Push{batch, changes}) writes.
class PushBatch {
 public:
  // Appends the change, unless the batch holds some already and its changes would then take
  // more than max_bytes encoded; false when it did not fit (the batch is unchanged).
  bool add(const RowChangeView& c, std::size_t max_bytes);
  void add(const RowChange& c);
  std::uint32_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  std::size_t bytes() const { return used_; }  // the changes, without the message around them
  std::int64_t last_site_seq() const { return last_site_seq_; }
  std::string message(std::uint64_t batch) const;

  // msgpack-c's output interface: appends to the changes. Inline, as msgpack's own buffer is:
  // most writes are a few bytes, and a call per write took a third of the encoding.
  void write(const char* p, std::size_t n) {
    if (n == 0) return;  // an empty view's data() may be null, which memcpy must not get
    if (n > changes_.size() - used_) grow(n);
    std::memcpy(changes_.data() + used_, p, n);
    used_ += n;
  }

 private:
  void grow(std::size_t n);
  std::string changes_;  // the first used_ bytes hold the changes; the rest is room to grow
  std::size_t used_ = 0;
  std::uint32_t count_ = 0;
  std::int64_t last_site_seq_ = 0;
};

// The encoded size of one row change inside a Push or Changes message (for batch sizing).
std::size_t encoded_size(const RowChange& c);

}  // namespace epsync::sync
