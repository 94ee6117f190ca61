#include "hub/hub_store.h"

#include "storage/change_log.h"
#include "storage/merge.h"
#include "records/records.h"
#include "records/row_rules.h"
#include "records/regions.h"
#include "storage/schema.h"
#include "sync/codec.h"
#include "records/model.h"

namespace epsync::hub {

Result<std::unique_ptr<HubStore>> HubStore::open(const std::string& path, HubOptions opt) {
  std::unique_ptr<HubStore> h(new HubStore(opt));
  StoreOptions so = eps_store_options();
  so.create = opt.create;
  so.clock = opt.clock;
  so.operator_name = opt.operator_name;
  so.fresh_site = true;
  auto s = Store::open(path, so);
  if (!s.ok()) return s.status();
  h->store_ = std::move(s).value();
  auto center = h->store_->center_id();
  if (!center.ok()) return center.status();
  if (center->empty()) {
    EPSYNC_RETURN_IF_ERROR(h->store_->set_meta("center_id", "HUB"));
    EPSYNC_RETURN_IF_ERROR(h->store_->set_meta("role", "hub"));
  } else if (center.value() != "HUB") {
    return Status::InvalidInput(path + " is the store of centre " + center.value() + ", not a hub store");
  }
  EPSYNC_RETURN_IF_ERROR(h->bind_known_sites());
  return h;
}

// Every site this store knows belongs to someone: the hub's own sites (this opening's, and any
// whose changes name several owners or a reference row) to HUB, every other to the one centre its
// changes name. A store restored from a backup made before bindings existed, or migrated, gets
// them back here; sites it never heard of are bound at their next hello.
Status HubStore::bind_known_sites() {
  const std::int64_t now = opt_.clock();
  auto own = store_->db().prepare("INSERT OR IGNORE INTO site_owner (site, center, bound_ms) VALUES (?, 'HUB', ?)");
  if (!own.ok()) return own.status();
  own->bind(1, store_->site_id()).bind(2, now);
  EPSYNC_RETURN_IF_ERROR(own->run());
  auto unbound = store_->db().prepare(
      "SELECT 1 FROM site WHERE uuid NOT IN (SELECT site FROM site_owner) LIMIT 1");
  if (!unbound.ok()) return unbound.status();
  auto any = unbound->step();
  if (!any.ok()) return any.status();
  if (!any.value()) return Status::Ok();
  auto rebuild = store_->db().prepare(
      "INSERT OR IGNORE INTO site_owner (site, center, bound_ms) "
      "SELECT site, CASE WHEN count(DISTINCT center) = 1 AND min(center) <> '*' THEN min(center) ELSE 'HUB' END, ? "
      "FROM (SELECT s.uuid AS site, c.center AS center FROM change_log c JOIN site s ON s.id = c.site "
      "      UNION ALL SELECT site, center FROM quarantine) GROUP BY site");
  if (!rebuild.ok()) return rebuild.status();
  rebuild->bind(1, now);
  EPSYNC_RETURN_IF_ERROR(rebuild->run());
  auto refused = store_->db().prepare("SELECT site, site_seq FROM refused");
  if (!refused.ok()) return refused.status();
  for (;;) {
    auto r = refused->step();
    if (!r.ok()) return r.status();
    if (!r.value()) break;
    refused_.emplace(refused->column_text(0), refused->column_int(1));
  }
  return Status::Ok();
}

Status HubStore::add_center(const std::string& id, const std::string& region, const std::string& name) {
  if (auto problem = center_id_problem(id)) return Status::InvalidInput("center: " + *problem);
  if (!is_region(region)) return Status::InvalidInput("region: '" + region + "' is not one of the 20 region slugs");
  if (auto p = validate_cell("center", "name", name); !p.ok()) return p;
  WriteTxn w(*store_);
  EPSYNC_RETURN_IF_ERROR(w.begin());
  Columns cols = {{"name", name}, {"region", region}};
  Status s = w.insert("center", id, std::string(kReferenceOwner), cols);
  if (s.code() == Status::Code::kAlreadyExists) {
    cols.emplace_back(std::string(kDeletedColumn), std::int64_t{0});
    s = w.update("center", id, cols);
  }
  EPSYNC_RETURN_IF_ERROR(s);
  return w.commit();
}

Result<std::vector<CenterInfo>> HubStore::centers() {
  auto st = store_->db().prepare("SELECT id, coalesce(name, ''), coalesce(region, '') FROM center WHERE deleted = 0 ORDER BY id");
  if (!st.ok()) return st.status();
  std::vector<CenterInfo> out;
  for (;;) {
    auto r = st->step();
    if (!r.ok()) return r.status();
    if (!r.value()) break;
    out.push_back({st->column_text(0), st->column_text(1), st->column_text(2)});
  }
  return out;
}

Result<bool> HubStore::registered(const std::string& id) {
  auto st = store_->db().cached("SELECT 1 FROM center WHERE id = ? AND deleted = 0");
  if (!st.ok()) return st.status();
  (*st)->bind(1, id);
  auto r = (*st)->step();
  if (!r.ok()) return r.status();
  bool found = r.value();
  (*st)->reset();
  return found;
}

Result<sync::Welcome> HubStore::welcome(const std::string& center, const std::string& site) {
  auto known = registered(center);
  if (!known.ok()) return known.status();
  if (!known.value()) return Status::NotFound("centre " + center + " is not registered at this hub");
  // The first verified certificate to present a site owns it (SPEC §4): the insert binds a new
  // site, the select reads who owns it now.
  auto bind = store_->db().cached("INSERT OR IGNORE INTO site_owner (site, center, bound_ms) VALUES (?, ?, ?)");
  if (!bind.ok()) return bind.status();
  (*bind)->bind(1, site).bind(2, center).bind(3, opt_.clock());
  EPSYNC_RETURN_IF_ERROR((*bind)->run());
  auto owner = store_->db().cached("SELECT center FROM site_owner WHERE site = ?");
  if (!owner.ok()) return owner.status();
  (*owner)->bind(1, site);
  auto found = (*owner)->step();
  if (!found.ok()) return found.status();
  std::string bound_to = found.value() ? (*owner)->column_text(0) : "";
  (*owner)->reset();
  if (bound_to != center)
    return Status::Forbidden("site " + site + " belongs to " + bound_to + ", not to " + center);
  sync::Welcome w;
  w.epoch = store_->epoch();
  auto hwm = site_high_water_mark(*store_, site);
  if (!hwm.ok()) return hwm.status();
  w.hwm = hwm.value();
  w.hub_time_ms = opt_.clock();
  w.skew_bound_ms = opt_.skew_bound_ms;
  w.max_batch_bytes = opt_.max_batch_bytes;
  return w;
}

Status HubStore::record_heartbeat(const std::string& center, const std::string& site, const sync::Heartbeat& hb) {
  auto st = store_->db().cached(
      "INSERT INTO center_health (center, site, last_seen_ms, agent_version, pending, oldest_pending_age_s, "
      "clock_offset_ms, free_disk_bytes, cert_expires_at, last_error, last_site_seq) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (center) DO UPDATE SET site = excluded.site, last_seen_ms = excluded.last_seen_ms, "
      "agent_version = excluded.agent_version, pending = excluded.pending, "
      "oldest_pending_age_s = excluded.oldest_pending_age_s, clock_offset_ms = excluded.clock_offset_ms, "
      "free_disk_bytes = excluded.free_disk_bytes, cert_expires_at = excluded.cert_expires_at, "
      "last_error = excluded.last_error, last_site_seq = excluded.last_site_seq");
  if (!st.ok()) return st.status();
  Stmt& s = **st;
  s.bind(1, center).bind(2, site).bind(3, opt_.clock()).bind(4, hb.agent_version.substr(0, 40));
  s.bind(5, hb.pending).bind(6, hb.oldest_pending_age_s).bind(7, hb.clock_offset_ms);
  s.bind(8, hb.free_disk_bytes).bind(9, hb.cert_expires_at).bind(10, hb.last_error.substr(0, 300));
  s.bind(11, hb.last_site_seq);
  return s.run();
}

namespace {

// A pull cursor as the hub issues it. The agent stores `next_cursor` / `next_check` and sends them
// back unread. A cursor names the last entry routed to the centre, checked by "<site>:<site_seq>"
// so that a restored or replaced store is noticed. When nothing more is due the cursor moves on
// to the log's end, so the next pull reads only what is newer instead of the centre's whole
// history again. The end is not checkable that way (after a restore, re-sent changes can land at
// the same place under the same names), so that form also carries the routed position and the
// id this store was opened under: "<routed check>|<routed seq>|<hub site>". Another opening (a
// restart, a restore) falls back to the routed position.
struct PullCursor {
  std::int64_t routed_seq = 0;
  std::string routed_check;
  std::int64_t end_seq = 0;  // 0: the cursor is the routed position
  std::string opened_as;
};

PullCursor parse_cursor(std::int64_t cursor, const std::string& check) {
  PullCursor c;
  auto bar = check.find('|');
  auto bar2 = bar == std::string::npos ? bar : check.find('|', bar + 1);
  if (bar2 == std::string::npos) {
    c.routed_seq = cursor;
    c.routed_check = check;
    return c;
  }
  c.routed_check = check.substr(0, bar);
  c.routed_seq = std::strtoll(check.c_str() + bar + 1, nullptr, 10);
  c.end_seq = cursor;
  c.opened_as = check.substr(bar2 + 1);
  return c;
}

}  // namespace

Result<std::string> HubStore::entry_check(std::int64_t seq) {
  auto st = store_->db().cached("SELECT site, site_seq FROM change_log WHERE seq = ?");
  if (!st.ok()) return st.status();
  (*st)->bind(1, seq);
  auto r = (*st)->step();
  if (!r.ok()) return r.status();
  std::string check;
  if (r.value()) {
    auto uuid = store_->site_uuid((*st)->column_int(0));
    if (!uuid.ok()) return uuid.status();
    check = uuid.value() + ":" + std::to_string((*st)->column_int(1));
  }
  (*st)->reset();
  return check;
}

Result<sync::Changes> HubStore::changes_for(const std::string& center, const std::string& site, const sync::Pull& pull) {
  // One snapshot for the whole answer: `epsync hub` commands write from other processes.
  Txn snapshot(store_->db());
  EPSYNC_RETURN_IF_ERROR(snapshot.begin(Txn::Kind::kDeferred));
  sync::Changes out;
  PullCursor cur = parse_cursor(pull.cursor, pull.cursor_check);
  std::int64_t start = 0;
  if (cur.end_seq > 0 && cur.opened_as == store_->site_id()) {
    start = cur.end_seq;  // issued by this opening of the store: its log has only grown since
  } else if (cur.routed_seq > 0) {
    auto check = entry_check(cur.routed_seq);
    if (!check.ok()) return check.status();
    if (!check->empty() && check.value() == cur.routed_check) {
      start = cur.routed_seq;
    } else {
      // Not the entry the agent saw: this store was restored from an older backup or replaced.
      out.cursor_reset = true;
      cur = PullCursor{};
    }
  }
  const std::int64_t budget = std::min<std::int64_t>(std::max<std::int64_t>(pull.max_bytes, 64 * 1024), 3 << 20);
  std::int64_t bytes = 0;
  std::int64_t scanned_to = start;
  ChangeQuery q;
  q.centers = std::vector<std::string>{center, std::string(kReferenceOwner)};
  q.exclude_site = site;
  q.limit = 2000;
  for (;;) {
    q.after_seq = scanned_to;
    auto chunk = read_changes(*store_, q);
    if (!chunk.ok()) return chunk.status();
    for (auto& c : chunk.value()) {
      if (bytes > 0 && bytes + static_cast<std::int64_t>(sync::encoded_size(c)) > budget) {
        out.more = true;
        break;
      }
      bytes += static_cast<std::int64_t>(sync::encoded_size(c));
      scanned_to = c.seq;
      cur = PullCursor{c.seq, c.site + ":" + std::to_string(c.site_seq), 0, ""};
      out.changes.push_back(std::move(c));
    }
    if (out.more || chunk->size() < q.limit) break;
  }
  if (!out.more) {
    // Everything due up to the log's end is in this answer: move the cursor to the end.
    auto st = store_->db().cached("SELECT max(seq) FROM change_log");
    if (!st.ok()) return st.status();
    auto r = (*st)->step();
    if (!r.ok()) return r.status();
    std::int64_t end = r.value() ? (*st)->column_int(0) : 0;
    (*st)->reset();
    if (end > cur.routed_seq) {
      cur.end_seq = end;
      cur.opened_as = store_->site_id();
    }
  }
  if (cur.end_seq > cur.routed_seq) {
    out.next_cursor = cur.end_seq;
    out.next_check = cur.routed_check + "|" + std::to_string(cur.routed_seq) + "|" + cur.opened_as;
  } else {
    out.next_cursor = cur.routed_seq;
    out.next_check = cur.routed_check;
  }
  EPSYNC_RETURN_IF_ERROR(snapshot.commit());
  return out;
}

Result<std::vector<QuarantineEntry>> HubStore::quarantine() {
  return entries("SELECT id, received_ms, site_seq, center, site, tbl, row_id, reason FROM quarantine ORDER BY id");
}

Result<std::vector<QuarantineEntry>> HubStore::entries(const std::string& sql) {
  auto st = store_->db().prepare(sql);
  if (!st.ok()) return st.status();
  std::vector<QuarantineEntry> out;
  for (;;) {
    auto r = st->step();
    if (!r.ok()) return r.status();
    if (!r.value()) break;
    out.push_back({st->column_int(0), st->column_int(1), st->column_int(2), st->column_text(3), st->column_text(4),
                   st->column_text(5), st->column_text(6), st->column_text(7)});
  }
  return out;
}

}  // namespace epsync::hub
