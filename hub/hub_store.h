// The hub's store and everything sync sessions ask of it: the centre registry, the welcome
// (epoch, high-water mark, time), heartbeats, the group commit of pushed batches with validation
// and quarantine, and the routed reads that answer pulls. No sockets here.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage/store.h"
#include "sync/messages.h"

namespace epsync::hub {

inline constexpr std::int64_t kDefaultSkewBoundMs = 5 * 60 * 1000;

struct CenterInfo {
  std::string id, name, region;
};

// The hub's validation of a pushed batch, which needs no store: the network thread runs it, so
// the single writer only writes.
struct PushCheck {
  Status shape;                      // not ok: a malformed change; the whole batch is refused
  std::vector<std::string> reasons;  // per change: why it is set aside, "" when it passes
};
PushCheck check_push(const sync::Push& push);

struct PushJob {
  std::string center;  // from the certificate
  sync::Push push;     // already authorised by the session
  std::optional<PushCheck> check = std::nullopt;  // check_push(push) if already run; else commit() runs it
};

struct QuarantineEntry {
  std::int64_t id = 0, received_ms = 0, site_seq = 0;
  std::string center, site, table, row_id, reason;
};

struct HubOptions {
  bool create = true;
  std::int64_t skew_bound_ms = kDefaultSkewBoundMs;
  PhysicalClock clock = system_clock();
  std::string operator_name = "hub";
  std::int64_t max_batch_bytes = 1 << 20;  // told to agents in the welcome
};

class HubStore {
 public:
  static Result<std::unique_ptr<HubStore>> open(const std::string& path, HubOptions opt = {});
  Store& store() { return *store_; }

  Status add_center(const std::string& id, const std::string& region, const std::string& name);
  Result<std::vector<CenterInfo>> centers();
  Result<bool> registered(const std::string& id);

  Result<sync::Welcome> welcome(const std::string& site);
  Status record_heartbeat(const std::string& center, const std::string& site, const sync::Heartbeat& hb);

  // Applies every job in one transaction and returns only after the commit is durable: an Ack per
  // job, or the job's error (that job is rolled back alone; the others still commit).
  std::vector<Result<sync::Ack>> commit(const std::vector<PushJob>& jobs);

  // What is routed to `center` after the pull's cursor, about max_bytes of it, excluding the
  // changes `site` made itself. An unknown cursor restarts from the beginning; when nothing more
  // is due the cursor moves to the log's end (see hub_store.cpp, PullCursor).
  Result<sync::Changes> changes_for(const std::string& center, const std::string& site, const sync::Pull& pull);

  Result<std::vector<QuarantineEntry>> quarantine();

 private:
  explicit HubStore(HubOptions opt) : opt_(std::move(opt)) {}
  Result<sync::Ack> apply_job(StoreTxn& txn, const PushJob& job);
  // "<site>:<site_seq>" of the log entry at `seq`, "" if there is none.
  Result<std::string> entry_check(std::int64_t seq);
  HubOptions opt_;
  std::unique_ptr<Store> store_;
};

}  // namespace epsync::hub
