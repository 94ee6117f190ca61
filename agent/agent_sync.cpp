#include "agent/agent_sync.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <filesystem>
#include <type_traits>
#include <variant>

#include "storage/change_log.h"
#include "storage/merge.h"
#include "records/model.h"
#include "storage/schema.h"
#include "storage/set_aside_notice.h"
#include "sync/codec.h"

namespace epsync {

namespace {

std::int64_t free_disk_bytes(const std::string& path) {
  struct statvfs fs {};
  std::error_code ec;  // the store's directory; the working directory when `path` has none
  std::string dir = std::filesystem::absolute(path, ec).parent_path().string();
  if (ec) return -1;
  if (statvfs(dir.c_str(), &fs) != 0) return -1;
  return static_cast<std::int64_t>(fs.f_bavail) * static_cast<std::int64_t>(fs.f_frsize);
}

// Error text kept in the sync state and sent in heartbeats: bounded.
std::string error_text(const Status& s) { return s.message().substr(0, 300); }

}  // namespace

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
  update_sync_state(store_, [&](SyncState& st) { st.last_error = error_text(s); });
}

void AgentSync::handle(sync::ClientAction action, sync::ClientSession& session) {
  std::visit(
      [&](auto& a) {
        using A = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<A, sync::client::Welcomed>) welcomed(a, session);
        else if constexpr (std::is_same_v<A, sync::client::NeedPush>) push(a, session);
        else if constexpr (std::is_same_v<A, sync::client::Acked>) acked(a, session);
        else if constexpr (std::is_same_v<A, sync::client::ApplyPulled>) apply_pulled(a, session);
        else finish(a);
      },
      action);
}

void AgentSync::welcomed(const sync::client::Welcomed& w, sync::ClientSession& session) {
  std::int64_t offset = store_.clock().physical_now() - w.welcome.hub_time_ms;
  // The hub holding more of this site's changes than the store itself means the store was put
  // back from an older copy: its next changes would reuse numbers the hub already holds and be
  // dropped as duplicates. Stop before anything is exchanged.
  auto own = last_own_site_seq(store_);
  if (!own.ok()) return session.fail(own.status());
  if (!w.epoch_changed && w.welcome.hwm > own.value())
    return session.fail(Status::Corrupt(
        "this store is older than the hub's copy of its changes (hub holds " + std::to_string(w.welcome.hwm) +
        ", store " + std::to_string(own.value()) +
        "): it was put back from a backup or snapshot. Changes made since are kept here; run `epsync restore` "
        "to re-seed the store from the hub, then enter them again"));
  std::string last_error;
  Status s = update_sync_state(store_, [&](SyncState& st) {
    st.clock_offset_ms = offset;
    st.clock_offset_known = true;
    st.acked = w.welcome.hwm;
    if (w.epoch_changed) {
      st.epoch = w.welcome.epoch;
      st.cursor = 0;
      st.cursor_check.clear();
    }
    last_error = st.last_error;
  });
  if (!s.ok()) return session.fail(s);
  sync::Heartbeat hb;
  hb.agent_version = id_.agent_version;
  auto pending = pending_changes(store_, w.welcome.hwm);
  auto age = oldest_pending_age_s(store_, w.welcome.hwm);
  if (!pending.ok() || !age.ok()) return session.fail(Status::IoError("cannot read the sync state"));
  hb.pending = pending.value();
  hb.last_site_seq = own.value();
  hb.oldest_pending_age_s = age.value();
  hb.clock_offset_ms = offset;
  hb.free_disk_bytes = free_disk_bytes(store_.path());
  hb.cert_expires_at = id_.cert_expires_at;
  hb.last_error = last_error;
  session.heartbeat(hb);
}

void AgentSync::push(const sync::client::NeedPush& n, sync::ClientSession& session) {
  // Batches by bytes: each change is encoded straight from the log as it is read, and the
  // first one that does not fit ends the batch (it is read again for the next one).
  sync::PushBatch batch;
  auto scan = SiteChangeScan::open(store_, store_.site_id(), n.after_site_seq);
  if (!scan.ok()) return session.fail(scan.status());
  for (;;) {
    auto more = scan->next(change_view_);
    if (!more.ok()) return session.fail(more.status());
    if (!more.value() || !batch.add(change_view_, static_cast<std::size_t>(std::max<std::int64_t>(n.max_bytes, 0))))
      break;
  }
  pushed_ += batch.count();
  session.push(batch);
}

void AgentSync::acked(const sync::client::Acked& a, sync::ClientSession& session) {
  // The hub's high-water mark and its word on what it set aside, together.
  Txn txn(store_.db());
  Status s = txn.begin();
  for (const auto& q : a.ack.quarantined) {
    if (!s.ok()) break;
    s = note_set_aside(store_, q.site_seq, q.reason);
  }
  if (s.ok()) s = update_sync_state(store_, [&](SyncState& st) { st.acked = a.ack.hwm; });
  if (s.ok()) s = txn.commit();
  if (!s.ok()) session.fail(s);
}

void AgentSync::apply_pulled(const sync::client::ApplyPulled& p, sync::ClientSession& session) {
  StoreTxn txn(store_);
  Status s = txn.begin();
  Merger merger(txn);
  for (const auto& c : p.changes.changes) {
    if (!s.ok()) break;
    s = merger.apply(c);
  }
  if (s.ok()) s = merger.finish();
  // In the merge's transaction: the cursor never passes changes that were not applied.
  if (s.ok())
    s = update_sync_state(store_, [&](SyncState& st) {
      st.cursor = p.changes.next_cursor;
      st.cursor_check = p.changes.next_check;
    });
  if (s.ok()) s = txn.commit();
  if (!s.ok()) return session.fail(s);
  pulled_ += static_cast<std::int64_t>(p.changes.changes.size());
  session.pulled_applied();
}

void AgentSync::finish(const sync::client::Finished& f) {
  finished_ = true;
  result_ = f.status;
  Txn txn(store_.db());
  if (!txn.begin().ok()) return;  // nothing more to record: the outcome stands as it is
  // The hub refused a change for good: note it, so status and `epsync quarantine` show it. The
  // hub remembers the refusal and sets the change aside when it comes again, so the changes
  // after it flow at the next sync.
  if (f.hub_error && f.hub_error->site_seq > 0 &&
      (f.hub_error->code == sync::kErrorForbiddenRow || f.hub_error->code == sync::kErrorBadMessage))
    note_set_aside(store_, f.hub_error->site_seq, "refused (" + f.hub_error->code + "): " + f.hub_error->message);
  std::int64_t now = store_.clock().physical_now();
  update_sync_state(store_, [&](SyncState& st) {
    if (f.status.ok()) st.last_sync_ms = now;
    st.last_error = f.status.ok() ? "" : error_text(f.status);
  });
  txn.commit();
}

}  // namespace epsync
