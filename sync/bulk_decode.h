// Internal to sync/: the two messages that carry row changes (push, changes) decoded straight
// from their bytes with msgpack-c's visitor, without first building msgpack's object tree (half
// of a hub's network thread in a catch-up). It is only a faster road to the same result:
// anything it does not expect, malformed or merely unusual, it leaves to the general decoder.
#pragma once

#include <optional>
#include <string_view>

#include "storage/status.h"
#include "sync/messages.h"

namespace epsync::sync {

// The Push or Changes message, exactly as decode_message's general path would give it; nullopt
// for every other message and for anything this path does not fully understand.
std::optional<Message> decode_bulk_message(std::string_view payload);

// decode_message without the bulk path (for tests and the fuzzer that compare the two).
Result<Message> decode_message_generally(std::string_view payload);

}  // namespace epsync::sync
