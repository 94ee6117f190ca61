#include "storage/sync_state.h"

#include <sqlite3.h>

#include <cstdlib>
#include <optional>
#include <utility>

namespace epsync {

namespace {

constexpr const char* kEpoch = "sync.epoch";
constexpr const char* kCursor = "sync.cursor";
constexpr const char* kCursorCheck = "sync.cursor_check";
constexpr const char* kAcked = "sync.acked";
constexpr const char* kLastSync = "sync.last_sync_ms";
constexpr const char* kLastError = "sync.last_error";
constexpr const char* kClockOffset = "sync.clock_offset_ms";  // absent until the hub first answered

std::int64_t meta_int(Store& s, const char* key, Status& err) {
  auto v = s.meta(key);
  if (!v.ok()) {
    err = v.status();
    return 0;
  }
  if (!v.value() || v.value()->empty()) return 0;
  char* end = nullptr;
  long long n = std::strtoll(v.value()->c_str(), &end, 10);
  if (*end != '\0') err = Status::Corrupt(std::string("sync state ") + key + " is damaged");
  return n;
}

Status write_all(Store& s, const SyncState& st) {
  for (auto [key, value] : {std::pair<const char*, std::string>{kEpoch, st.epoch},
                            {kCursor, std::to_string(st.cursor)},
                            {kCursorCheck, st.cursor_check},
                            {kAcked, std::to_string(st.acked)},
                            {kLastSync, std::to_string(st.last_sync_ms)},
                            {kLastError, st.last_error}})
    EPSYNC_RETURN_IF_ERROR(s.set_meta(key, value));
  if (st.clock_offset_known) EPSYNC_RETURN_IF_ERROR(s.set_meta(kClockOffset, std::to_string(st.clock_offset_ms)));
  return Status::Ok();
}

// Runs `fn` in a transaction of its own, or in the caller's when one is already open.
Status in_transaction(Store& s, const std::function<Status()>& fn) {
  if (!sqlite3_get_autocommit(s.db().handle())) return fn();
  Txn txn(s.db());
  EPSYNC_RETURN_IF_ERROR(txn.begin());
  EPSYNC_RETURN_IF_ERROR(fn());
  return txn.commit();
}

}  // namespace

Result<SyncState> load_sync_state(Store& s) {
  SyncState st;
  Status err;
  st.cursor = meta_int(s, kCursor, err);
  st.acked = meta_int(s, kAcked, err);
  st.last_sync_ms = meta_int(s, kLastSync, err);
  st.clock_offset_ms = meta_int(s, kClockOffset, err);
  if (!err.ok()) return err;
  for (auto [key, out] : {std::pair<const char*, std::string*>{kEpoch, &st.epoch},
                          {kCursorCheck, &st.cursor_check}, {kLastError, &st.last_error}}) {
    auto v = s.meta(key);
    if (!v.ok()) return v.status();
    *out = v.value().value_or("");
  }
  auto known = s.meta(kClockOffset);
  if (!known.ok()) return known.status();
  st.clock_offset_known = known.value().has_value();
  return st;
}

Status save_sync_state(Store& s, const SyncState& state) {
  return in_transaction(s, [&] { return write_all(s, state); });
}

Status update_sync_state(Store& s, const std::function<void(SyncState&)>& edit) {
  return in_transaction(s, [&]() -> Status {
    auto st = load_sync_state(s);
    if (!st.ok()) return st.status();
    edit(st.value());
    return write_all(s, st.value());
  });
}

}  // namespace epsync
