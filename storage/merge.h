// Merge (SPEC §4): applies changes made elsewhere. Per-column last-writer-wins on (hlc, site);
// idempotent and order-independent, so any set of batches applied in any order, any number of
// times, yields the same state. Lost concurrent writes to safety-relevant columns go to the
// conflict log; per-site high-water marks make a re-sent batch a cheap no-op.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "storage/change_log.h"
#include "storage/status.h"
#include "storage/store.h"

namespace epsync {

struct MergeOptions {
  // Refuse changes stamped further than this ahead of our clock (0: no bound). The hub sets it
  // (SPEC §4, default 5 min) so a centre whose clock is a year fast cannot win every conflict.
  std::int64_t max_ahead_ms = 0;
};

struct MergeStats {
  std::int64_t applied = 0;     // new changes that now hold their cell
  std::int64_t superseded = 0;  // new changes recorded but already outranked by a later write
  std::int64_t duplicates = 0;  // changes this store already had
  std::int64_t conflicts = 0;   // lost concurrent writes logged for review
};

// Applies changes inside a StoreTxn the caller owns, so one transaction can take many batches
// (the hub's group commit). Call finish() before committing.
class Merger {
 public:
  Merger(StoreTxn& txn, MergeOptions opt = {}) : txn_(txn), opt_(opt) {}
  // Applies one change. On error nothing of this change is applied; the caller decides whether
  // to roll back the transaction (a refused batch) or to continue.
  Status apply(const Change& c, MergeStats& stats);
  Status finish();  // saves the advanced high-water marks

 private:
  Result<std::int64_t> hwm(const std::string& site);
  Status advance_hwm(const std::string& site, std::int64_t seq);
  Status note_conflict(const Change& winner, const Change& loser);
  Result<bool> is_safety_relevant(const Change& c);

  StoreTxn& txn_;
  MergeOptions opt_;
  std::map<std::string, std::int64_t> hwm_;
  std::map<std::string, bool> dirty_;
};

// Applies a batch in its own transaction: all of it or, on error, none of it.
Result<MergeStats> merge_batch(Store& store, const std::vector<Change>& batch,
                               MergeOptions opt = {});

// The high-water mark this store holds for a site (0 if none).
Result<std::int64_t> site_high_water_mark(Store& store, const std::string& site);

}  // namespace epsync
