#include "storage/store.h"

#include <sqlite3.h>
#include <sys/random.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <mutex>

#include "storage/file_access.h"
#include "storage/internal/row_state.h"
#include "storage/schema.h"

namespace epsync {

namespace {

void capture_active_fn(sqlite3_context* ctx, int, sqlite3_value**) {
  const int* depth = static_cast<const int*>(sqlite3_user_data(ctx));
  sqlite3_result_int(ctx, *depth > 0 ? 1 : 0);
}

Result<std::int64_t> pragma_int(Db& db, const char* name) {
  auto st = db.prepare(std::string("PRAGMA ") + name);
  if (!st.ok()) return st.status();
  auto row = st->step();
  if (!row.ok()) return row.status();
  return row.value() ? st->column_int(0) : 0;
}

// Decides whether the file may be touched at all: an epsync store, or an empty file we may
// initialise. Reads only; nothing is written before this says yes.
Status check_identity(Db& db, bool may_initialise) {
  const std::string& path = db.path();
  auto app = pragma_int(db, "application_id");
  if (!app.ok()) {
    if (app.status().code() == Status::Code::kCorrupt)
      return Status::Corrupt(path + " is not an epsync store (not a readable SQLite database: " +
                             app.status().message() + ")");
    return app.status().prefixed(path);
  }
  auto objects = db.prepare("SELECT count(*) FROM sqlite_schema");
  if (!objects.ok()) return objects.status().prefixed(path);
  auto row = objects->step();
  if (!row.ok()) {
    if (row.status().code() == Status::Code::kCorrupt)
      return Status::Corrupt(path + " is damaged: " + row.status().message());
    return row.status().prefixed(path);
  }
  bool empty = objects->column_int(0) == 0;
  if (app.value() == kApplicationId) return Status::Ok();
  if (app.value() == 0 && empty) {
    if (may_initialise) return Status::Ok();
    return Status::NotFound(path + " is not initialised; run `epsync init` first");
  }
  return Status::Corrupt(path + " is not an epsync store (it is some other SQLite database)");
}

}  // namespace

namespace {

void random_bytes(void* out, size_t n) {
  auto* bytes = static_cast<unsigned char*>(out);
  size_t got = 0;
  while (got < n) {
    ssize_t r = getrandom(bytes + got, n - got, 0);
    if (r > 0) got += static_cast<size_t>(r);
  }
}

// Writes the low `digits` hex digits of v into out[at ...], most significant first.
void put_hex(std::string& out, size_t at, std::uint64_t v, int digits) {
  static const char* hex = "0123456789abcdef";
  for (int i = 0; i < digits; ++i) out[at + static_cast<size_t>(i)] = hex[(v >> (4 * (digits - 1 - i))) & 15];
}

}  // namespace

std::string new_random_id() {
  std::uint64_t bytes[2];
  random_bytes(bytes, sizeof bytes);
  std::string out(32, '0');
  put_hex(out, 0, bytes[0], 16);
  put_hex(out, 16, bytes[1], 16);
  return out;
}

std::string new_row_id() {
  // RFC 9562 §6.2, method 2: within one millisecond each id is the previous one plus a random
  // increment, so one process's ids strictly increase. A bulk import makes hundreds of rows per
  // millisecond; in creation order they now append to every B-tree keyed on the id, at the
  // centre and at the hub, instead of landing at random places in its last pages.
  struct Last {
    std::mutex mu;
    std::uint64_t ms = 0;
    std::uint16_t hi = 0;  // the 80 bits after the time: 16 here, 64 in lo
    std::uint64_t lo = 0;
  };
  static Last last;
  std::uint64_t fresh[2];
  random_bytes(fresh, sizeof fresh);
  auto now = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  std::uint64_t ms = 0, lo = 0;
  std::uint16_t hi = 0;
  {
    std::lock_guard<std::mutex> lock(last.mu);
    if (now > last.ms) {
      last.ms = now;
      last.hi = static_cast<std::uint16_t>(fresh[0] & 0x7fff);  // leaves room to count up
      last.lo = fresh[1];
    } else {  // the same millisecond, or the clock stepped back: count on from the last id
      const std::uint64_t step = (fresh[0] >> 32) + 1;  // 1 .. 2^32
      if (last.lo > UINT64_MAX - step) {
        if (last.hi == UINT16_MAX) {  // this millisecond is used up: borrow the next
          ++last.ms;
          last.hi = 0;
        } else {
          ++last.hi;
        }
      }
      last.lo += step;
    }
    ms = last.ms;
    hi = last.hi;
    lo = last.lo;
  }
  std::string id(32, '0');
  put_hex(id, 0, ms, 12);
  put_hex(id, 12, hi, 4);
  put_hex(id, 16, lo, 16);
  return id;
}

Result<std::unique_ptr<Store>> Store::open(const std::string& path, StoreOptions opt) {
  if (!opt.model) return Status::InvalidInput("opening " + path + " without a data model");
  auto found = file_exists(path);
  if (!found.ok()) return found.status();
  const bool exists = found.value();
  if (!exists && !opt.create)
    return Status::NotFound(path + " does not exist; run `epsync init` first");
  // SQLite would quietly open a store this user may only read, and fail at the first write.
  if (exists) EPSYNC_RETURN_IF_ERROR(check_access(path, true));

  Db::OpenOptions dbo;
  dbo.create = opt.create;
  dbo.busy_timeout_ms = opt.busy_timeout_ms;
  dbo.vfs = opt.vfs;
  auto db = Db::open(path, dbo);
  if (!db.ok()) return db.status();
  // Trainee records: the owner's alone, or in the shared state directory its group's too
  // (storage/file_access.h), whatever the umask of the caller. SQLite gives -wal and -shm the
  // same mode.
  if (!exists) EPSYNC_RETURN_IF_ERROR(set_new_file_mode(path));

  std::unique_ptr<Store> s(new Store());
  s->db_ = std::move(db).value();
  s->opt_ = std::move(opt);
  s->clock_ = HybridClock(s->opt_.clock);
  EPSYNC_RETURN_IF_ERROR(check_identity(*s->db_, s->opt_.create));

  int rc = sqlite3_create_function_v2(s->db_->handle(), kCaptureGuardFunction, 0,
                                      SQLITE_UTF8 | SQLITE_INNOCUOUS, &s->capture_depth_,
                                      capture_active_fn, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return s->db_->error(rc, "registering functions");
  EPSYNC_RETURN_IF_ERROR(s->initialise().prefixed(path));
  s->rows_ = std::make_unique<RowStore>(*s->db_, *s->opt_.model);
  return s;
}

Store::~Store() = default;

Status Store::initialise() {
  // WAL lets the CLI read while the daemon writes; FULL makes every commit durable before we
  // report it (SPEC §9: nothing acknowledged is lost).
  // 16 KiB pages for a new store (an existing one keeps its own): a hub catch-up appends to seven
  // B-trees per row change, and larger pages split less often (B2b 1.9 s -> 1.6 s, bench_sync).
  EPSYNC_RETURN_IF_ERROR(db_->exec("PRAGMA page_size = 16384"));
  EPSYNC_RETURN_IF_ERROR(db_->exec("PRAGMA journal_mode = WAL"));
  EPSYNC_RETURN_IF_ERROR(db_->exec(opt_.durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = OFF"));
  // A page cache large enough that a big merge or import does not spill pages and read them back
  // (the default is 2 MiB); memory is only taken as pages are touched.
  // Foreign keys are not enforced. The only one, change_log.site -> site, is kept by site_key(),
  // which interns a site before any use and is forgotten on every rollback (StoreTxn). Enforcing
  // it makes each multi-row log insert keep a statement journal, 7% of a catch-up's apply.
  // Savepoint journals stay in memory rather than in temporary files.
  EPSYNC_RETURN_IF_ERROR(db_->exec("PRAGMA foreign_keys = OFF; PRAGMA cache_size = -131072; PRAGMA temp_store = MEMORY"));
  EPSYNC_RETURN_IF_ERROR(migrate(*db_, *opt_.model));

  for (auto [key, out] : {std::pair<const char*, std::string*>{"site_id", &site_id_}, {"epoch", &epoch_}}) {
    auto v = meta(key);
    if (!v.ok()) return v.status();
    if (v.value()) {
      *out = *v.value();
    } else {
      *out = new_random_id();
      EPSYNC_RETURN_IF_ERROR(set_meta(key, *out));
    }
  }
  if (opt_.fresh_site) site_id_ = new_random_id();
  auto hlc = meta("hlc");
  if (!hlc.ok()) return hlc.status();
  if (hlc.value()) clock_.observe(std::stoll(*hlc.value()));
  return Status::Ok();
}

Result<std::optional<std::string>> Store::meta(const std::string& key) {
  auto st = db_->cached("SELECT value FROM meta WHERE key = ?");
  if (!st.ok()) return st.status();
  (*st)->bind(1, key);
  auto row = (*st)->step();
  if (!row.ok()) return row.status();
  std::optional<std::string> out;
  if (row.value()) out = (*st)->column_text(0);
  (*st)->reset();
  return out;
}

Status Store::set_meta(const std::string& key, const std::string& value) {
  auto st = db_->cached(
      "INSERT INTO meta (key, value) VALUES (?, ?) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  if (!st.ok()) return st.status();
  (*st)->bind(1, key).bind(2, value);
  return (*st)->run();
}

Result<std::int64_t> Store::known_site_key(const std::string& uuid) {
  auto it = site_keys_.find(uuid);
  if (it != site_keys_.end()) return it->second;
  auto st = db_->cached("SELECT id FROM site WHERE uuid = ?");
  if (!st.ok()) return st.status();
  (*st)->bind(1, uuid);
  auto r = (*st)->step();
  if (!r.ok()) return r.status();
  std::int64_t key = r.value() ? (*st)->column_int(0) : 0;
  (*st)->reset();
  if (key) {
    site_keys_[uuid] = key;
    site_uuids_[key] = uuid;
  }
  return key;
}

Result<std::int64_t> Store::site_key(const std::string& uuid) {
  auto known = known_site_key(uuid);
  if (!known.ok() || known.value()) return known;
  std::int64_t key = 0;
  {
    auto ins = db_->cached("INSERT INTO site (uuid) VALUES (?)");
    if (!ins.ok()) return ins.status();
    (*ins)->bind(1, uuid);
    EPSYNC_RETURN_IF_ERROR((*ins)->run());
    key = sqlite3_last_insert_rowid(db_->handle());
  }
  site_keys_[uuid] = key;
  site_uuids_[key] = uuid;
  return key;
}

Result<std::string> Store::site_uuid(std::int64_t key) {
  auto v = site_uuid_view(key);
  if (!v.ok()) return v.status();
  return std::string(v.value());
}

Result<std::string_view> Store::site_uuid_view(std::int64_t key) {
  auto it = site_uuids_.find(key);
  if (it != site_uuids_.end()) return std::string_view(it->second);
  auto st = db_->cached("SELECT uuid FROM site WHERE id = ?");
  if (!st.ok()) return st.status();
  (*st)->bind(1, key);
  auto r = (*st)->step();
  if (!r.ok()) return r.status();
  if (!r.value()) return Status::Corrupt("unknown site key " + std::to_string(key));
  std::string uuid = (*st)->column_text(0);
  (*st)->reset();
  site_keys_[uuid] = key;
  return std::string_view(site_uuids_[key] = std::move(uuid));
}

Result<std::string> Store::center_id() {
  auto m = meta("center_id");
  if (!m.ok()) return m.status();
  return m.value().value_or("");
}

// ---- StoreTxn ----

Status StoreTxn::begin() {
  EPSYNC_RETURN_IF_ERROR(txn_.begin(Txn::Kind::kImmediate));
  ++store_.capture_depth_;
  armed_ = true;
  // Writes through capture and merge are what the guard triggers let through anyway; running a
  // trigger program for every row of a large merge costs more than the insert itself, so this
  // connection skips them while armed. Other connections (and this one, unarmed) still meet them.
  sqlite3_db_config(store_.db().handle(), SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, nullptr);
  // Another process (the CLI beside the daemon) may have written since we last looked.
  auto hlc = store_.meta("hlc");
  if (!hlc.ok()) return hlc.status();
  if (hlc.value()) store_.clock_.observe(std::stoll(*hlc.value()));
  auto seq = store_.meta("local_seq:" + store_.site_id_);
  if (!seq.ok()) return seq.status();
  store_.local_seq_ = seq.value() ? std::stoll(*seq.value()) : 0;
  return Status::Ok();
}

Status StoreTxn::commit() {
  EPSYNC_RETURN_IF_ERROR(store_.set_meta("hlc", std::to_string(store_.clock_.last())));
  if (store_.local_seq_ > 0)
    EPSYNC_RETURN_IF_ERROR(store_.set_meta("local_seq:" + store_.site_id_, std::to_string(store_.local_seq_)));
  Status s = txn_.commit();
  if (!s.ok()) store_.forget_sites();
  disarm();
  return s;
}

Status StoreTxn::savepoint(const std::string& name) { return store_.db().exec("SAVEPOINT " + name); }

Status StoreTxn::release(const std::string& name) { return store_.db().exec("RELEASE " + name); }

Status StoreTxn::rollback_to(const std::string& name) {
  store_.forget_sites();
  return store_.db().exec("ROLLBACK TO " + name + "; RELEASE " + name);
}

void StoreTxn::disarm() {
  if (armed_) {
    --store_.capture_depth_;
    armed_ = false;
    if (store_.capture_depth_ == 0) sqlite3_db_config(store_.db().handle(), SQLITE_DBCONFIG_ENABLE_TRIGGER, 1, nullptr);
  }
}

StoreTxn::~StoreTxn() {
  if (txn_.active()) {
    txn_.rollback();
    store_.forget_sites();
  }
  disarm();
}

}  // namespace epsync
