// The sync protocol's messages (docs/PROTOCOL.md) as plain structs. Encoding lives in codec.h;
// nothing here knows msgpack or sockets.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "storage/row_change.h"

namespace epsync::sync {

inline constexpr int kProtocolVersion = 1;
inline constexpr int kMinProtocolVersion = 1;   // a hub serves agents one version behind
inline constexpr std::uint32_t kMaxFrameBytes = 4u * 1024 * 1024;
// What a hub reads of a frame before it has welcomed the session: a hello is a few hundred bytes,
// and an unregistered (or not yet admitted) client must not make the hub hold megabytes.
inline constexpr std::uint32_t kMaxFrameBytesBeforeWelcome = 16u * 1024;

// Agent -> hub, first: who is speaking and what it understands.
struct Hello {
  int proto_min = kMinProtocolVersion, proto_max = kProtocolVersion;
  int schema_min = 1, schema_max = 1;
  std::string center;         // from the agent's config; must equal the certificate's CN
  std::string site;           // the agent store's site id
  std::string agent_version;
  std::vector<std::string> compression;  // e.g. {"zstd"}
};

// Hub -> agent: accepted, and what the hub holds of this site.
struct Welcome {
  int proto = kProtocolVersion, schema = 1;
  std::string epoch;               // id of the hub's store; changes when the store is replaced
  std::int64_t hwm = 0;            // the hub's high-water mark for this site
  std::int64_t hub_time_ms = 0;    // the hub's wall clock, for skew detection
  std::string compression;         // chosen: "zstd" or "" (none)
  std::int64_t max_batch_bytes = 1 << 20;
  std::int64_t skew_bound_ms = 5 * 60 * 1000;
};

// Agent -> hub after Welcome: the centre's health (SPEC §4 heartbeat).
struct Heartbeat {
  std::string agent_version;
  std::int64_t pending = 0;              // row changes the hub had not acknowledged at connect
  std::int64_t last_site_seq = 0;        // the agent's own latest change: pending = this - hub's mark
  std::int64_t oldest_pending_age_s = 0;
  std::int64_t clock_offset_ms = 0;      // agent clock minus hub clock
  std::int64_t free_disk_bytes = 0;
  std::int64_t cert_expires_at = 0;      // Unix seconds
  std::string last_error;                // never personal data
};

struct Push {
  std::uint64_t batch = 0;
  std::vector<RowChange> changes;
};

struct Quarantined {
  std::int64_t site_seq = 0;
  std::string reason;  // names the field and rule, never the value
};

// Hub -> agent, sent only after the batch is durably committed.
struct Ack {
  std::uint64_t batch = 0;
  std::int64_t hwm = 0;
  std::vector<Quarantined> quarantined;
};

// Agent -> hub: changes routed to this centre after a cursor in the hub's log.
struct Pull {
  std::int64_t cursor = 0;
  std::string cursor_check;     // identifies the hub log entry at `cursor` ("site:site_seq")
  std::int64_t max_bytes = 1 << 20;
};

struct Changes {
  std::vector<RowChange> changes;
  std::int64_t next_cursor = 0;
  std::string next_check;
  bool more = false;
  bool cursor_reset = false;  // the cursor was unknown here: these start from the beginning
};

struct Ping {};
struct Pong {};
struct Bye {};

// Fatal: the sender closes after it.
struct Error {
  std::string code;     // see kError* below
  std::string message;  // for the log; never personal data
  // A definite refusal of a push (forbidden-row, bad-message) names the change that caused it:
  // the agent sets that change aside. 0: none (the field is then left out).
  std::int64_t site_seq = 0;
};

inline constexpr const char* kErrorVersion = "version";
inline constexpr const char* kErrorUnauthorized = "unauthorized";
inline constexpr const char* kErrorUnknownCenter = "unknown-center";
inline constexpr const char* kErrorForbiddenRow = "forbidden-row";
inline constexpr const char* kErrorBadMessage = "bad-message";
inline constexpr const char* kErrorTooLarge = "too-large";
inline constexpr const char* kErrorTimeout = "timeout";
inline constexpr const char* kErrorInternal = "internal";
inline constexpr const char* kErrorBusy = "busy";  // at a session limit: retry later, with backoff

using Message = std::variant<Hello, Welcome, Heartbeat, Push, Ack, Pull, Changes, Ping, Pong, Bye, Error>;

const char* message_name(const Message& m);

}  // namespace epsync::sync
