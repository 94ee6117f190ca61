// The hub's side of a pushed batch (hub_store.h): the checks that need no store (check_push, on
// the network thread), then authorisation against the stored rows, quarantine, refusals and the
// group commit (HubStore::commit, on the store thread).
#include "hub/hub_store.h"

#include "storage/change_log.h"
#include "storage/merge.h"
#include "records/records.h"
#include "records/row_rules.h"
#include "records/model.h"
#include "storage/schema.h"
#include "sync/codec.h"
#include "util/i18n.h"

namespace epsync::hub {

namespace {

// The latest date a past event may carry at the hub: its own UTC day and one more, since a centre
// (UTC+5, UTC+6) enters "today" up to a day ahead of UTC.
Date latest_event_date(std::int64_t now_ms) { return date_from_days(now_ms / 86'400'000 + 1); }

// Whether a change creates its row: only a row's first write carries its owner cell.
bool creates_row(const RowChange& c, const ChangeIndex& at) {
  for (size_t k = 0; k < c.cells.size(); ++k)
    if (at.columns[k] == 0) return true;  // the owner is every table's first column
  return false;
}

// The row rules for a change, over `base` (the stored row, or none) with the change's cells on
// top; "" when it passes.
std::string row_rule_reason(const RowChange& c, const ChangeIndex& at, const std::vector<Value>* base, bool is_new,
                            Date latest) {
  ScopedLang english(Lang::kEn);  // stored and sent, like check_push's reasons
  const TableDef& def = eps_model().table(at.table);
  RowValues row(def.columns.size(), nullptr);
  if (base)
    for (size_t i = 0; i < base->size() && i < row.size(); ++i) row[i] = &(*base)[i];
  std::uint64_t written = 0;
  for (size_t k = 0; k < c.cells.size(); ++k) {
    const int column = at.columns[k];
    row[static_cast<size_t>(column)] = &c.cells[k].value;
    written |= std::uint64_t{1} << column;
  }
  Status s = check_row(at.table, row, RowRules{is_new, latest, written});
  return s.ok() ? "" : s.message();
}

}  // namespace

PushCheck check_push(const sync::Push& push, const std::string& center, const std::string& site, std::int64_t now_ms) {
  // Reasons are stored in the quarantine and sent back to the centre: English, whatever language
  // the thread running the hub (the CLI's, for `epsync hub`) was given.
  ScopedLang english(Lang::kEn);
  const Date latest = latest_event_date(now_ms);
  PushCheck out;
  out.changes.resize(push.changes.size());
  for (size_t i = 0; i < push.changes.size(); ++i) {
    const RowChange& c = push.changes[i];
    ChangeCheck& v = out.changes[i];
    if (Status shape = resolve_row_change(eps_model(), c, v.at); !shape.ok()) {
      v.refuse = sync::kErrorBadMessage;
      v.reason = "change " + std::to_string(c.site_seq) + " is malformed: " + shape.message();
      continue;
    }
    const TableDef& def = eps_model().table(v.at.table);
    // Authorisation: only this centre's own rows, made by this session's site, never reference
    // tables. The owner stored at the hub is checked when the change is applied (merge).
    std::string why;
    if (c.center != center) why = "is claimed for another centre";
    else if (def.reference) why = "is in the hub-owned table " + c.table;
    else if (c.site != site) why = "was made by another site";
    if (!why.empty()) {
      v.refuse = sync::kErrorForbiddenRow;
      v.reason = "change " + std::to_string(c.site_seq) + " " + why;
      continue;
    }
    // The rules the CLI applies (storage/row_rules.h): each cell, who made it, and for a new row
    // the row as a whole. Updates are checked against the stored row when applied.
    for (size_t k = 0; k < c.cells.size(); ++k) {
      Status cell_ok = validate_cell(v.at.table, v.at.columns[k], c.cells[k].value);
      if (!cell_ok.ok()) {
        v.reason = cell_ok.message();
        break;
      }
    }
    if (v.reason.empty())
      if (Status op = validate_operator(c.op); !op.ok()) v.reason = op.message();
    if (v.reason.empty() && creates_row(c, v.at)) v.reason = row_rule_reason(c, v.at, nullptr, true, latest);
  }
  return out;
}

bool HubStore::known_refused(const RowChange& c) const {
  return !refused_.empty() && refused_.count({c.site, c.site_seq}) > 0;
}

Result<std::string> HubStore::refusal_reason(const RowChange& c) {
  auto st = store_->db().cached("SELECT code, reason FROM refused WHERE site = ? AND site_seq = ?");
  if (!st.ok()) return st.status();
  (*st)->bind(1, c.site).bind(2, c.site_seq);
  auto r = (*st)->step();
  if (!r.ok()) return r.status();
  std::string reason = r.value() ? "refused (" + (*st)->column_text(0) + "): " + (*st)->column_text(1) : "refused";
  (*st)->reset();
  return reason;
}

Result<HubStore::JobOutcome> HubStore::apply_job(StoreTxn& txn, const PushJob& job) {
  std::optional<PushCheck> here;
  if (!job.check) here = check_push(job.push, job.center, job.site, opt_.clock());
  const PushCheck& check = job.check ? *job.check : *here;
  MergeOptions mo;
  mo.max_ahead_ms = opt_.skew_bound_ms;
  Merger merger(txn, mo);
  sync::Ack ack;
  ack.batch = job.push.batch;
  auto refusal = [&](const char* code, const std::string& reason, const RowChange& c) -> JobOutcome {
    std::string message = job.center + " may not push this: " + reason + "; batch " + std::to_string(job.push.batch) +
                          " refused, nothing applied";
    return Refusal{sync::Error{code, message, c.site == job.site && c.site_seq > 0 ? c.site_seq : 0}, &c, reason};
  };
  auto forbidden = [&](const Status& s) -> Result<JobOutcome> {
    if (s.code() != Status::Code::kForbidden || !merger.forbidden()) return s;
    return refusal(sync::kErrorForbiddenRow, s.message(), *merger.forbidden());
  };
  for (size_t i = 0; i < job.push.changes.size(); ++i) {
    const RowChange& c = job.push.changes[i];
    const ChangeCheck& v = check.changes[i];
    std::string reason = v.reason;
    const bool refused_before = known_refused(c);
    if (refused_before) {
      // Refused before, in an earlier batch: set aside now, so what follows it flows.
      auto why = refusal_reason(c);
      if (!why.ok()) return why.status();
      reason = why.value();
    } else if (v.refuse) {
      return refusal(v.refuse, v.reason, c);
    } else {
      auto held = merger.holds(c);
      if (!held.ok()) return held.status();
      if (held.value()) {  // a re-send, decided when it first came: merge counts it as a duplicate
        EPSYNC_RETURN_IF_ERROR(merger.apply(c, v.at));
        continue;
      }
      if (!reason.empty() || !creates_row(c, v.at)) {
        // The stored row: its owner decides a change that will not be applied (forbidden goes
        // before quarantine), and an update's row rules need the row it changes.
        auto stored = merger.stored_values(c, v.at);
        if (!stored.ok()) return stored.status();
        if (stored->has_value()) {
          const auto* owner = std::get_if<std::string>(&(**stored)[0]);
          if (owner && *owner != c.center)
            return refusal(sync::kErrorForbiddenRow, "change " + std::to_string(c.site_seq) + " writes a " + c.table +
                                                         " row its sender does not own", c);
        }
        if (reason.empty())
          reason = row_rule_reason(c, v.at, stored->has_value() ? &**stored : nullptr, false,
                                  latest_event_date(opt_.clock()));
      }
      if (reason.empty()) {
        // Hub validation: a change that fails it is set aside with its reason, never blocks the queue.
        Status applied = merger.apply(c, v.at);
        if (applied.code() == Status::Code::kClockSkew) reason = "clock: " + applied.message();
        else if (!applied.ok()) return forbidden(applied);
      }
    }
    if (reason.empty()) continue;
    if (!refused_before) EPSYNC_RETURN_IF_ERROR(quarantine_change(txn, job.center, c, reason));
    if (Status aside = merger.set_aside(c); !aside.ok()) return forbidden(aside);
    ack.quarantined.push_back({c.site_seq, reason});
  }
  if (Status finished = merger.finish(); !finished.ok()) return forbidden(finished);
  if (!job.site.empty()) {
    auto hwm = site_high_water_mark(txn.store(), job.site);
    if (!hwm.ok()) return hwm.status();
    ack.hwm = hwm.value();
  }
  return JobOutcome{std::move(ack)};
}

Status HubStore::quarantine_change(StoreTxn& txn, const std::string& center, const RowChange& c, const std::string& reason) {
  auto st = txn.db().cached(
      "INSERT OR IGNORE INTO quarantine (received_ms, center, site, site_seq, tbl, row_id, reason, change) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  (*st)->bind(1, opt_.clock()).bind(2, center).bind(3, c.site).bind(4, c.site_seq).bind(5, c.table);
  (*st)->bind(6, c.row_id).bind(7, reason).bind_blob(8, sync::encode_message(sync::Push{0, {c}}));
  return (*st)->run();
}

Status HubStore::record_refusal(StoreTxn& txn, const PushJob& job, const Refusal& r) {
  if (r.error.site_seq <= 0 || !r.change) return Status::Ok();  // names none of the session's changes
  auto st = txn.db().cached(
      "INSERT OR IGNORE INTO refused (site, site_seq, center, received_ms, code, reason, change) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  const RowChange& c = *r.change;
  std::string reason = r.reason.substr(0, 300);
  (*st)->bind(1, job.site).bind(2, c.site_seq).bind(3, job.center).bind(4, opt_.clock()).bind(5, r.error.code);
  (*st)->bind(6, reason).bind_blob(7, sync::encode_message(sync::Push{0, {c}}));
  return (*st)->run();
}

std::vector<Result<PushAnswer>> HubStore::commit(const std::vector<PushJob>& jobs) {
  std::vector<Result<PushAnswer>> out;
  StoreTxn txn(*store_);
  Status began = txn.begin();
  if (!began.ok()) {
    for (size_t i = 0; i < jobs.size(); ++i) out.emplace_back(began);
    return out;
  }
  std::vector<std::pair<std::string, std::int64_t>> newly_refused;
  for (const auto& job : jobs) {
    // A savepoint per job: one refused or failed batch is rolled back alone.
    Status sp = txn.savepoint("job");
    if (!sp.ok()) {
      out.emplace_back(sp);
      continue;
    }
    auto outcome = apply_job(txn, job);
    if (outcome.ok() && std::holds_alternative<sync::Ack>(outcome.value())) {
      Status released = txn.release("job");
      if (released.ok()) out.emplace_back(PushAnswer{std::get<sync::Ack>(std::move(outcome).value())});
      else out.emplace_back(released);
      continue;
    }
    Status ended = txn.rollback_to("job");  // nothing of a refused or failed batch stays
    if (!ended.ok() || !outcome.ok()) {
      out.emplace_back(ended.ok() ? outcome.status() : ended);
      continue;
    }
    const Refusal& r = std::get<Refusal>(outcome.value());
    if (Status recorded = record_refusal(txn, job, r); !recorded.ok()) {
      out.emplace_back(recorded);
      continue;
    }
    if (r.error.site_seq > 0) newly_refused.emplace_back(job.site, r.error.site_seq);
    out.emplace_back(PushAnswer{r.error});
  }
  Status committed = txn.commit();
  if (!committed.ok()) {
    for (auto& r : out) r = Result<PushAnswer>(committed);
    return out;
  }
  refused_.insert(newly_refused.begin(), newly_refused.end());
  return out;
}

Result<std::vector<QuarantineEntry>> HubStore::refused() {
  return entries(
      "SELECT rowid, received_ms, site_seq, center, site, '', '', code || ': ' || reason FROM refused "
      "ORDER BY received_ms, rowid");
}

}  // namespace epsync::hub
