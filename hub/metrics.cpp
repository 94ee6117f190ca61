#include "hub/metrics.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <utility>

namespace epsync::hub {

namespace {

std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

std::string escape_help(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

using Labels = std::vector<std::pair<std::string, std::string>>;

class Exposition {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += escape_help(help);
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  void sample(std::string_view name, const Labels& labels, const std::string& value) {
    out_ += name;
    if (!labels.empty()) {
      out_ += '{';
      for (size_t i = 0; i < labels.size(); ++i) {
        if (i) out_ += ',';
        out_ += labels[i].first + "=\"" + escape_label_value(labels[i].second) + "\"";
      }
      out_ += '}';
    }
    out_ += ' ';
    out_ += value;
    out_ += '\n';
  }
  template <class T>
  void single(std::string_view name, std::string_view type, std::string_view help, T value) {
    family(name, type, help);
    sample(name, {}, std::to_string(value));
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace

void LatencyHistogram::observe(double seconds) {
  if (!(seconds >= 0)) seconds = 0;  // also NaN
  size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<std::uint64_t>(std::llround(seconds * 1e9)), std::memory_order_relaxed);
}

LatencyHistogram::Snapshot LatencyHistogram::snapshot() const {
  Snapshot s;
  std::uint64_t running = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative[i] = running;
  }
  s.sum = static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
  return s;
}

HubMetrics::HubMetrics()
    : start_time_s(std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                       .count()) {}

std::string escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

namespace {

template <typename T>
T load(const std::atomic<T>& a) {
  return a.load(std::memory_order_relaxed);
}

// Which daemon this is, since when, and whether the scrape could read its store.
void process_metrics(Exposition& e, const HubMetrics& m, const StoreView& store, std::string_view version) {
  e.family("epsync_hub_build_info", "gauge", "Always 1; the epsync version of this hub daemon in the label.");
  e.sample("epsync_hub_build_info", {{"version", std::string(version)}}, "1");
  e.single("epsync_hub_start_time_seconds", "gauge", "When this hub daemon started, Unix time in seconds.",
           m.start_time_s);
  e.single("epsync_hub_store_up", "gauge", "1 when this scrape could read the hub store, 0 when it could not.",
           store.ok ? 1 : 0);
}

// Connections and sessions: opened, refused and why, the revocation list, bytes.
void session_metrics(Exposition& e, const HubMetrics& m) {
  e.single("epsync_hub_sessions", "gauge", "Sync sessions with an authenticated centre open now.",
           load(m.sessions_open));
  e.single("epsync_hub_sessions_total", "counter", "Sync sessions with an authenticated centre since the hub started.",
           load(m.sessions_total));
  e.single("epsync_hub_handshake_failures_total", "counter",
           "Connections refused during the TLS handshake (unknown CA, revoked or expired certificate, timeout).",
           load(m.handshake_failures));
  e.single("epsync_hub_sessions_busy_total", "counter",
           "Sessions refused with `busy` because the hub was at limits.max_sessions or "
           "limits.max_sessions_per_center.",
           load(m.sessions_busy));
  e.single("epsync_hub_connections_dropped_total", "counter",
           "Connections closed unanswered at accept because limits.max_handshakes TLS handshakes were in progress.",
           load(m.connections_dropped));
  if (std::int64_t next = load(m.crl_next_update_s); next != 0)
    e.single("epsync_hub_crl_next_update_seconds", "gauge",
             "When the hub's certificate revocation list is due (its nextUpdate), Unix time in seconds; once "
             "passed, every centre is refused.",
             next);
  e.single("epsync_hub_crl_reloads_total", "counter",
           "TLS contexts rebuilt after SIGHUP or a changed CRL file.", load(m.crl_reloads));
  e.single("epsync_hub_crl_reload_failures_total", "counter",
           "Reloads that failed (the previous certificates and CRL stay in use).", load(m.crl_reload_failures));
  e.single("epsync_hub_received_bytes_total", "counter",
           "Sync protocol bytes received from centres (inside TLS, frames as sent, compressed or not).",
           load(m.bytes_in));
  e.single("epsync_hub_sent_bytes_total", "counter",
           "Sync protocol bytes sent to centres (inside TLS, frames as sent, compressed or not).", load(m.bytes_out));
}

// What the centres' pushes did to the store.
void apply_metrics(Exposition& e, const HubMetrics& m) {
  e.single("epsync_hub_batches_committed_total", "counter",
           "Pushed batches committed durably and acknowledged.", load(m.batches_committed));
  e.single("epsync_hub_batches_failed_total", "counter",
           "Pushed batches that could not be stored (the centre sends them again).", load(m.batches_failed));
  e.single("epsync_hub_changes_applied_total", "counter",
           "Row changes from centres committed at the hub (quarantined ones excluded; a change sent again "
           "after a lost acknowledgement counts again).",
           load(m.row_changes_applied));
  e.single("epsync_hub_cells_applied_total", "counter",
           "Column values (cells) in the row changes counted by epsync_hub_changes_applied_total.",
           load(m.cells_applied));
  e.single("epsync_hub_changes_quarantined_total", "counter",
           "Row changes set aside because they failed the hub's validation (epsync hub quarantine).",
           load(m.changes_quarantined));

  auto h = m.commit_seconds.snapshot();
  e.family("epsync_hub_batch_commit_seconds", "histogram",
           "Seconds from a pushed batch reaching the store thread to its durable commit, waiting for the "
           "group commit included.");
  for (size_t i = 0; i < LatencyHistogram::kBounds.size(); ++i)
    e.sample("epsync_hub_batch_commit_seconds_bucket", {{"le", number(LatencyHistogram::kBounds[i])}},
             std::to_string(h.cumulative[i]));
  e.sample("epsync_hub_batch_commit_seconds_bucket", {{"le", "+Inf"}}, std::to_string(h.count()));
  e.sample("epsync_hub_batch_commit_seconds_sum", {}, number(h.sum));
  e.sample("epsync_hub_batch_commit_seconds_count", {}, std::to_string(h.count()));
}

// Every registered centre's health as it last reported it.
void centre_metrics(Exposition& e, const StoreView& store) {
  auto labels = [](const CenterHealth& c) { return Labels{{"center", c.center}, {"region", c.region}}; };
  std::int64_t stale = 0;
  for (const auto& c : store.centres) stale += c.stale ? 1 : 0;
  e.single("epsync_hub_centers", "gauge", "Centres registered at the hub.", store.centres.size());
  e.single("epsync_hub_centers_stale", "gauge", "Registered centres not seen for 7 days or never.", stale);
  // One family per figure, each with a sample per centre (some only for centres ever seen).
  auto per_centre = [&](const char* name, const char* help, bool seen_only, auto value) {
    e.family(name, "gauge", help);
    for (const auto& c : store.centres)
      if (!seen_only || c.last_seen_ms) e.sample(name, labels(c), value(c));
  };
  per_centre("epsync_hub_center_last_seen_timestamp_seconds",
             "When the centre last synced (its last heartbeat), Unix time in seconds; absent if never.", true,
             [](const CenterHealth& c) { return std::to_string(*c.last_seen_ms / 1000); });
  per_centre("epsync_hub_center_pending_changes",
             "Row changes the centre has made that the hub does not hold yet, as of its last heartbeat.", false,
             [](const CenterHealth& c) { return std::to_string(c.pending); });
  per_centre("epsync_hub_center_stale", "1 when the centre has not synced for 7 days or never, else 0.", false,
             [](const CenterHealth& c) { return std::string(c.stale ? "1" : "0"); });
  per_centre("epsync_hub_center_clock_offset_seconds",
             "The centre's clock minus the hub's at its last sync, in seconds; absent if never seen.", true,
             [](const CenterHealth& c) { return number(static_cast<double>(c.clock_offset_ms) / 1000); });
  per_centre("epsync_hub_center_certificate_expiry_timestamp_seconds",
             "When the centre's certificate expires, Unix time in seconds, as of its last sync; absent if never "
             "seen.",
             true, [](const CenterHealth& c) { return std::to_string(c.cert_expires_at); });
}

}  // namespace

std::string render_metrics(const HubMetrics& m, const StoreView& store, std::string_view version) {
  Exposition e;
  process_metrics(e, m, store, version);
  session_metrics(e, m);
  apply_metrics(e, m);
  if (store.ok) centre_metrics(e, store);
  return e.take();
}

}  // namespace epsync::hub
