// Store: one epsync SQLite file (a centre's or the hub's). Opening checks that the file really is
// an epsync store of a schema this build understands before touching it, then migrates it forward.
// StoreTxn is the only way to write replicated tables: it serialises writers across processes
// (BEGIN IMMEDIATE), carries the hybrid logical clock and the local change sequence in and out of
// the file, and arms the guard that refuses writes which bypass change capture.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/hlc.h"
#include "storage/sqlite.h"
#include "storage/status.h"

namespace epsync {

struct DataModel;
class RowStore;  // storage/internal/row_state.h

struct StoreOptions {
  // The replicated data model (records/model.h for epsync); required, and it must outlive the
  // store. The engine learns every table and column from it.
  const DataModel* model = nullptr;
  bool create = false;                  // create and initialise the file when missing or empty
  PhysicalClock clock = system_clock();
  std::string operator_name;            // recorded with each local change (who made it)
  int busy_timeout_ms = 5000;
  std::string vfs;                      // SQLite VFS; empty for the default
  // synchronous=FULL: a commit survives power loss before it is reported. Only simulations that
  // open thousands of throw-away stores turn this off.
  bool durable = true;
  // Write under a new site id for this process instead of the store's own. The hub does this:
  // a hub store restored from an older backup must never reuse sequence numbers that centres
  // already hold, so every hub process is a site of its own.
  bool fresh_site = false;
};

class Store {
 public:
  static Result<std::unique_ptr<Store>> open(const std::string& path, StoreOptions opt = {});
  ~Store();

  Db& db() { return *db_; }
  const std::string& path() const { return db_->path(); }
  const std::string& site_id() const { return site_id_; }
  // The id of this store file (random, made when it was created). A different epoch at the hub
  // means a different store: agents then pull from the beginning.
  const std::string& epoch() const { return epoch_; }
  const std::string& operator_name() const { return opt_.operator_name; }
  void set_operator_name(std::string name) { opt_.operator_name = std::move(name); }
  HybridClock& clock() { return clock_; }

  // Local settings that do not replicate (centre id, role, ...).
  Result<std::optional<std::string>> meta(const std::string& key);
  Status set_meta(const std::string& key, const std::string& value);

  // The centre this store belongs to ("" until `epsync init`).
  Result<std::string> center_id();

  // Site ids are kept as small integers in this file. site_key adds an unknown site, so call it
  // inside a write transaction; site_uuid resolves a key read from this file.
  Result<std::int64_t> site_key(const std::string& uuid);
  // The key of a site already in this file, or 0; never writes.
  Result<std::int64_t> known_site_key(const std::string& uuid);
  Result<std::string> site_uuid(std::int64_t key);
  // The same, as a view of this store's cache: valid until a rollback makes it forget sites.
  Result<std::string_view> site_uuid_view(std::int64_t key);
  RowStore& rows() { return *rows_; }
  const DataModel& model() const { return *opt_.model; }

 private:
  friend class StoreTxn;
  Store() = default;
  Status initialise();
  // After a rollback: sites first seen in that transaction are gone again.
  void forget_sites() {
    site_keys_.clear();
    site_uuids_.clear();
  }
  std::unique_ptr<Db> db_;
  std::unique_ptr<RowStore> rows_;  // holds statements of db_, so it is declared (and dies) after it
  StoreOptions opt_;
  std::unordered_map<std::string, std::int64_t> site_keys_;
  std::unordered_map<std::int64_t, std::string> site_uuids_;
  std::string site_id_;
  std::string epoch_;
  HybridClock clock_{system_clock()};
  int capture_depth_ = 0;  // > 0 while a StoreTxn writes; read by the guard trigger
  std::int64_t local_seq_ = 0;
};

// A write transaction on a Store. Reloads the clock and local sequence at begin() (another process
// may have written since) and saves them at commit(); rolls everything back unless committed.
class StoreTxn {
 public:
  explicit StoreTxn(Store& s) : store_(s), txn_(s.db()) {}
  StoreTxn(const StoreTxn&) = delete;
  StoreTxn& operator=(const StoreTxn&) = delete;
  ~StoreTxn();

  Status begin();
  Status commit();
  Store& store() { return store_; }
  Db& db() { return store_.db(); }
  bool active() const { return txn_.active(); }

  // The next number in this site's contiguous change sequence.
  std::int64_t next_local_seq() { return ++store_.local_seq_; }

  // A named savepoint inside the transaction, so one part can be undone alone (one refused batch
  // of the hub's group commit). rollback_to also forgets the site keys interned since, whose
  // rows it removed; release keeps the part's writes.
  Status savepoint(const std::string& name);
  Status release(const std::string& name);
  Status rollback_to(const std::string& name);

 private:
  void disarm();
  Store& store_;
  Txn txn_;
  bool armed_ = false;
};

// A new random 128-bit id as 32 lowercase hex digits (site ids, store epochs).
std::string new_random_id();
// A new 128-bit row id, 32 lowercase hex digits: 48 bits of Unix milliseconds, then 80 bits
// (the layout of RFC 9562's UUIDv7). Unique across sites like a random id, but each id this
// process makes sorts after the one before, so inserts append to the B-trees instead of touching
// random pages.
std::string new_row_id();

}  // namespace epsync
