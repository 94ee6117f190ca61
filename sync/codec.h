// Message encoding: each message is one msgpack map with a "type" key (docs/PROTOCOL.md gives
// every field and its type). Decoding accepts only well-formed messages: a wrong type, a missing
// field or an oversized container is an InvalidInput error, never a crash.
#pragma once

#include <string>
#include <string_view>

#include "storage/status.h"
#include "sync/messages.h"

namespace epsync::sync {

std::string encode_message(const Message& m);
Result<Message> decode_message(std::string_view payload);

// The encoded size of one row change inside a Push or Changes message (for batch sizing).
std::size_t encoded_size(const RowChange& c);

}  // namespace epsync::sync
