#include "agent/agent_sync.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <filesystem>
#include <optional>

#include "storage/change_log.h"
#include "storage/merge.h"
#include "records/model.h"
#include "storage/schema.h"
#include "sync/codec.h"

namespace epsync {

namespace {

std::int64_t meta_int(Store& s, const std::string& key, Status& err) {
  auto v = s.meta(key);
  if (!v.ok()) {
    err = v.status();
    return 0;
  }
  if (!v.value() || v.value()->empty()) return 0;
  char* end = nullptr;
  long long n = std::strtoll(v.value()->c_str(), &end, 10);
  if (*end != '\0') err = Status::Corrupt("sync state " + key + " is damaged");
  return n;
}

std::int64_t free_disk_bytes(const std::string& path) {
  struct statvfs fs {};
  std::string dir = std::filesystem::absolute(path).parent_path().string();
  if (statvfs(dir.c_str(), &fs) != 0) return -1;
  return static_cast<std::int64_t>(fs.f_bavail) * static_cast<std::int64_t>(fs.f_frsize);
}

}  // namespace

Result<AgentSyncState> load_sync_state(Store& s) {
  AgentSyncState st;
  Status err;
  st.cursor = meta_int(s, "sync.cursor", err);
  st.acked = meta_int(s, "sync.acked", err);
  st.last_sync_ms = meta_int(s, "sync.last_sync_ms", err);
  st.clock_offset_ms = meta_int(s, "sync.clock_offset_ms", err);
  if (!err.ok()) return err;
  for (auto [key, out] : {std::pair<const char*, std::string*>{"sync.epoch", &st.epoch},
                          {"sync.cursor_check", &st.cursor_check}, {"sync.last_error", &st.last_error}}) {
    auto v = s.meta(key);
    if (!v.ok()) return v.status();
    *out = v.value().value_or("");
  }
  auto known = s.meta("sync.clock_offset_ms");
  if (!known.ok()) return known.status();
  st.clock_offset_known = known.value().has_value();
  return st;
}

namespace {

// One aggregate (or, with `order`, one column of the first row) over this site's own changes
// after `after`: NULL when there are none, or when this site has written nothing yet.
Result<std::optional<std::int64_t>> own_changes(Store& s, const char* aggregate, std::int64_t after,
                                                const char* order = "") {
  auto key = s.known_site_key(s.site_id());
  if (!key.ok()) return key.status();
  if (!key.value()) return std::optional<std::int64_t>{};
  auto st = s.db().cached(std::string("SELECT ") + aggregate + " FROM change_log WHERE site = ? AND site_seq > ?" + order);
  if (!st.ok()) return st.status();
  (*st)->bind(1, key.value()).bind(2, after);
  auto r = (*st)->step();
  if (!r.ok()) return r.status();
  std::optional<std::int64_t> v;
  if (r.value() && !(*st)->column_is_null(0)) v = (*st)->column_int(0);
  (*st)->reset();
  return v;
}

}  // namespace

Result<std::int64_t> pending_changes(Store& s, std::int64_t acked) {
  auto n = own_changes(s, "count(*)", acked);
  if (!n.ok()) return n.status();
  return n->value_or(0);
}

Result<std::int64_t> last_own_site_seq(Store& s) {
  auto n = own_changes(s, "max(site_seq)", 0);
  if (!n.ok()) return n.status();
  return n->value_or(0);
}

Result<std::int64_t> oldest_pending_age_s(Store& s, std::int64_t acked) {
  // This site stamps its changes in sequence order, so the oldest is the first: one index seek
  // instead of min(hlc) over every pending record (0.1-0.2 s before a catch-up's first batch).
  auto oldest = own_changes(s, "hlc", acked, " ORDER BY site_seq LIMIT 1");
  if (!oldest.ok()) return oldest.status();
  if (!oldest.value()) return std::int64_t{0};
  std::int64_t age = (s.clock().physical_now() - hlc_millis(**oldest)) / 1000;
  return age < 0 ? 0 : age;
}

Result<std::vector<SetAsideChange>> set_aside_changes(Store& s) {
  auto key = s.known_site_key(s.site_id());
  if (!key.ok()) return key.status();
  auto st = s.db().prepare(
      "SELECT n.site_seq, n.received_ms, n.reason, coalesce(l.tbl, -1), coalesce(l.row_id, '') "
      "FROM quarantine_notice n LEFT JOIN change_log l ON l.site = ? AND l.site_seq = n.site_seq "
      "ORDER BY n.site_seq");
  if (!st.ok()) return st.status();
  st->bind(1, key.value());
  std::vector<SetAsideChange> out;
  for (;;) {
    auto r = st->step();
    if (!r.ok()) return r.status();
    if (!r.value()) break;
    SetAsideChange c;
    c.site_seq = st->column_int(0);
    c.received_ms = st->column_int(1);
    c.reason = st->column_text(2);
    const auto table = st->column_int(3);
    if (table >= 0 && static_cast<std::size_t>(table) < replicated_tables().size())
      c.table = replicated_tables()[static_cast<std::size_t>(table)].name;
    c.row_id = st->column_text(4);
    out.push_back(std::move(c));
  }
  for (auto& c : out) {
    if (c.table == "trainee") {
      c.trainee_id = c.row_id;
    } else if (!c.table.empty()) {
      auto t = s.db().prepare("SELECT trainee_id FROM " + c.table + " WHERE id = ?");  // a schema name
      if (!t.ok()) return t.status();
      t->bind(1, c.row_id);
      auto r = t->step();
      if (!r.ok()) return r.status();
      if (r.value()) c.trainee_id = t->column_text(0);
    }
  }
  return out;
}

Result<sync::ClientConfig> AgentSync::config() {
  auto st = load_sync_state(store_);
  if (!st.ok()) return st.status();
  sync::ClientConfig cfg;
  cfg.hello.center = id_.center;
  cfg.hello.site = store_.site_id();
  cfg.hello.agent_version = id_.agent_version;
  cfg.hello.schema_min = cfg.hello.schema_max = latest_schema_version();
  cfg.hello.compression = {"zstd"};
  cfg.known_epoch = st->epoch;
  cfg.pull_cursor = st->cursor;
  cfg.pull_check = st->cursor_check;
  return cfg;
}

void AgentSync::record_failure(const Status& s) {
  finished_ = true;
  result_ = s;
  // Saved outside any session transaction; a failure to save it must not hide the first error.
  store_.set_meta("sync.last_error", s.message().substr(0, 300));
}

void AgentSync::handle(sync::ClientAction action, sync::ClientSession& session) {
  if (auto* w = std::get_if<sync::client::Welcomed>(&action)) {
    std::int64_t offset = store_.clock().physical_now() - w->welcome.hub_time_ms;
    // The hub holding more of this site's changes than the store itself means the store was put
    // back from an older copy: its next changes would reuse numbers the hub already holds and be
    // dropped as duplicates. Stop before anything is exchanged.
    auto own = last_own_site_seq(store_);
    if (!own.ok()) return session.fail(own.status());
    if (!w->epoch_changed && w->welcome.hwm > own.value())
      return session.fail(Status::Corrupt(
          "this store is older than the hub's copy of its changes (hub holds " + std::to_string(w->welcome.hwm) +
          ", store " + std::to_string(own.value()) +
          "): it was put back from a backup or snapshot. Changes made since are kept here; run `epsync restore` "
          "to re-seed the store from the hub, then enter them again"));
    Status s = store_.set_meta("sync.clock_offset_ms", std::to_string(offset));
    if (s.ok()) s = store_.set_meta("sync.acked", std::to_string(w->welcome.hwm));
    if (s.ok() && w->epoch_changed) {
      s = store_.set_meta("sync.epoch", w->welcome.epoch);
      if (s.ok()) s = store_.set_meta("sync.cursor", "0");
      if (s.ok()) s = store_.set_meta("sync.cursor_check", "");
    }
    if (!s.ok()) return session.fail(s);
    sync::Heartbeat hb;
    hb.agent_version = id_.agent_version;
    auto pending = pending_changes(store_, w->welcome.hwm);
    auto age = oldest_pending_age_s(store_, w->welcome.hwm);
    auto st = load_sync_state(store_);
    if (!pending.ok() || !age.ok() || !st.ok()) return session.fail(Status::IoError("cannot read the sync state"));
    hb.pending = pending.value();
    hb.last_site_seq = own.value();
    hb.oldest_pending_age_s = age.value();
    hb.clock_offset_ms = offset;
    hb.free_disk_bytes = free_disk_bytes(store_.path());
    hb.cert_expires_at = id_.cert_expires_at;
    hb.last_error = st->last_error;
    session.heartbeat(hb);
    return;
  }
  if (auto* n = std::get_if<sync::client::NeedPush>(&action)) {
    // Batches by bytes: each change is encoded straight from the log as it is read, and the
    // first one that does not fit ends the batch (it is read again for the next one).
    sync::PushBatch batch;
    auto scan = SiteChangeScan::open(store_, store_.site_id(), n->after_site_seq);
    if (!scan.ok()) return session.fail(scan.status());
    for (;;) {
      auto more = scan->next(change_view_);
      if (!more.ok()) return session.fail(more.status());
      if (!more.value() || !batch.add(change_view_, static_cast<std::size_t>(std::max<std::int64_t>(n->max_bytes, 0))))
        break;
    }
    pushed_ += batch.count();
    session.push(batch);
    return;
  }
  if (auto* a = std::get_if<sync::client::Acked>(&action)) {
    Status s = store_.set_meta("sync.acked", std::to_string(a->ack.hwm));
    for (const auto& q : a->ack.quarantined) {
      if (!s.ok()) break;
      s = record_set_aside(q.site_seq, q.reason);
    }
    if (!s.ok()) session.fail(s);
    return;
  }
  if (auto* p = std::get_if<sync::client::ApplyPulled>(&action)) {
    StoreTxn txn(store_);
    Status s = txn.begin();
    Merger merger(txn);
    for (const auto& c : p->changes.changes) {
      if (!s.ok()) break;
      s = merger.apply(c);
    }
    if (s.ok()) s = merger.finish();
    if (s.ok()) s = store_.set_meta("sync.cursor", std::to_string(p->changes.next_cursor));
    if (s.ok()) s = store_.set_meta("sync.cursor_check", p->changes.next_check);
    if (s.ok()) s = txn.commit();
    if (!s.ok()) return session.fail(s);
    pulled_ += static_cast<std::int64_t>(p->changes.changes.size());
    session.pulled_applied();
    return;
  }
  if (auto* f = std::get_if<sync::client::Finished>(&action)) {
    finished_ = true;
    result_ = f->status;
    // The hub refused a change for good: note it, so status and `epsync quarantine` show it. The
    // hub remembers the refusal and sets the change aside when it comes again, so the changes
    // after it flow at the next sync.
    if (f->hub_error && f->hub_error->site_seq > 0 &&
        (f->hub_error->code == sync::kErrorForbiddenRow || f->hub_error->code == sync::kErrorBadMessage))
      record_set_aside(f->hub_error->site_seq, "refused (" + f->hub_error->code + "): " + f->hub_error->message);
    if (f->status.ok()) {
      store_.set_meta("sync.last_sync_ms", std::to_string(store_.clock().physical_now()));
      store_.set_meta("sync.last_error", "");
    } else {
      store_.set_meta("sync.last_error", f->status.message().substr(0, 300));
    }
  }
}

Status AgentSync::record_set_aside(std::int64_t site_seq, const std::string& reason) {
  auto st = store_.db().cached(
      "INSERT OR REPLACE INTO quarantine_notice (site_seq, reason, received_ms) VALUES (?, ?, ?)");
  if (!st.ok()) return st.status();
  (*st)->bind(1, site_seq).bind(2, reason.substr(0, 300)).bind(3, store_.clock().physical_now());
  return (*st)->run();
}

sync::ClientOptions client_options(const AgentConfig& cfg) {
  sync::ClientOptions opt;
  opt.address = cfg.hub_address;
  opt.files = {cfg.hub_ca, cfg.hub_cert, cfg.hub_key, ""};
  opt.idle_timeout = std::chrono::seconds(cfg.sync_timeout_seconds);
  opt.connect_timeout = std::min<std::chrono::milliseconds>(opt.connect_timeout, opt.idle_timeout);
  return opt;
}

}  // namespace epsync
