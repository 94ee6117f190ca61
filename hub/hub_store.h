// The hub's store and everything sync sessions ask of it: the centre registry, the welcome
// (epoch, high-water mark, time), heartbeats, the group commit of pushed batches with validation
// and quarantine, and the routed reads that answer pulls. No sockets here.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "storage/merge.h"
#include "storage/store.h"
#include "sync/messages.h"

namespace epsync::hub {

inline constexpr std::int64_t kDefaultSkewBoundMs = 5 * 60 * 1000;

struct CenterInfo {
  std::string id, name, region;
};

// What the hub decides about one pushed change without its store, so the network thread can run
// it and the single writer only writes.
struct ChangeCheck {
  // A wire error code (forbidden-row, bad-message) when the hub can never accept the change: its
  // whole batch is refused. nullptr otherwise.
  const char* refuse = nullptr;
  std::string reason;  // why it is refused or (refuse == nullptr) set aside; "" when it passes
  ChangeIndex at;      // its names resolved, when it is not refused
};
struct PushCheck {
  std::vector<ChangeCheck> changes;  // one per pushed change
};
// `center` comes from the certificate; `site` is the session's site, bound to that centre;
// `now_ms` the hub's clock (dates of past events may not be later than its next day).
PushCheck check_push(const sync::Push& push, const std::string& center, const std::string& site, std::int64_t now_ms);

struct PushJob {
  std::string center;  // from the certificate
  std::string site;    // the session's site (HubStore::welcome bound it to `center`)
  sync::Push push;
  std::optional<PushCheck> check = std::nullopt;  // check_push(...) if already run; else commit() runs it
};

// The hub's answer to a pushed batch: its Ack, or a definite refusal of the whole batch (an Error
// whose site_seq names the change at fault; nothing of the batch applied). A failure of the hub's
// own store is the Result's error instead, and the agent sends the batch again later.
using PushAnswer = std::variant<sync::Ack, sync::Error>;

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

  // The welcome for a session of `center` on `site`. A site not seen before is bound to `center`
  // here. kNotFound: the centre is not registered; kForbidden: the site belongs to another centre
  // (the message, for the hub's log, names both; the session must not disclose the mark).
  Result<sync::Welcome> welcome(const std::string& center, const std::string& site);
  Status record_heartbeat(const std::string& center, const std::string& site, const sync::Heartbeat& hb);

  // Applies every job in one transaction and returns once it is committed (durable at once with
  // synchronous=FULL, else once the daemon's WalSyncer has synced): an answer per job, or the
  // job's error. A refused or failed job is rolled back alone; the others still commit. A refused
  // change is remembered by its (site, site_seq), so when it comes again it is set aside.
  std::vector<Result<PushAnswer>> commit(const std::vector<PushJob>& jobs);

  // What is routed to `center` after the pull's cursor, about max_bytes of it, excluding the
  // changes `site` made itself. An unknown cursor restarts from the beginning; when nothing more
  // is due the cursor moves to the log's end (see hub_store.cpp, PullCursor).
  Result<sync::Changes> changes_for(const std::string& center, const std::string& site, const sync::Pull& pull);

  Result<std::vector<QuarantineEntry>> quarantine();
  // Changes refused for good (forbidden-row, bad-message), as QuarantineEntry rows whose reason
  // starts with the code.
  Result<std::vector<QuarantineEntry>> refused();

 private:
  struct Refusal {
    sync::Error error;
    const RowChange* change = nullptr;  // recorded when it is one of the session's site's changes
    std::string reason;                 // names the change and the rule, never a value
  };
  using JobOutcome = std::variant<sync::Ack, Refusal>;
  explicit HubStore(HubOptions opt) : opt_(std::move(opt)) {}
  Status bind_known_sites();
  // Rows of (id, received_ms, site_seq, center, site, table, row_id, reason).
  Result<std::vector<QuarantineEntry>> entries(const std::string& sql);
  Result<JobOutcome> apply_job(StoreTxn& txn, const PushJob& job);
  Status record_refusal(StoreTxn& txn, const PushJob& job, const Refusal& r);
  Status quarantine_change(StoreTxn& txn, const std::string& center, const RowChange& c, const std::string& reason);
  bool known_refused(const RowChange& c) const;
  Result<std::string> refusal_reason(const RowChange& c);
  // "<site>:<site_seq>" of the log entry at `seq`, "" if there is none.
  Result<std::string> entry_check(std::int64_t seq);
  HubOptions opt_;
  std::unique_ptr<Store> store_;
  // (site, site_seq) of every refused change: a re-sent one is set aside. Written only after the
  // commit that recorded it; read for every pushed change while it is not empty.
  std::set<std::pair<std::string, std::int64_t>> refused_;
};

}  // namespace epsync::hub
