#include "agent/agent_daemon.h"

#include <systemd/sd-daemon.h>

#include <asio.hpp>
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

#include "agent/config.h"
#include "agent/nudge.h"
#include "agent/sync_once.h"
#include "util/i18n.h"
#include "storage/file_access.h"
#include "storage/own_changes.h"
#include "storage/sync_state.h"
#include "util/log.h"
#include "records/model.h"

namespace epsync {

namespace {

constexpr std::chrono::seconds kMaxBackoff{15 * 60};
constexpr std::chrono::seconds kFirstBackoff{5};
constexpr std::chrono::milliseconds kNudgeDelay{200};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string ago(std::int64_t ms) {
  std::int64_t s = (now_ms() - ms) / 1000;
  if (s < 90) return std::to_string(s) + " s ago";
  if (s < 5400) return std::to_string(s / 60) + " min ago";
  return std::to_string(s / 3600) + " h ago";
}

class AgentDaemon {
 public:
  AgentDaemon(AgentDaemonOptions opt, AgentConfig cfg) : opt_(std::move(opt)), cfg_(std::move(cfg)) {}

  int run() {
    if (Status s = check_config(cfg_); !s.ok()) {
      log::error(s.message());
      return 2;
    }
    StoreOptions so = eps_store_options();
    so.operator_name = "agent";
    auto store = open_centre_store(cfg_.store_path, so);
    Status usable = store.ok() ? check_centre(store.value(), cfg_) : store.status();
    if (!usable.ok()) {
      bool wrong_store = usable.code() == Status::Code::kInvalidInput;  // not this centre's store
      log::error(wrong_store ? usable.message() : "cannot open the store: " + usable.message());
      return wrong_store ? 2 : 1;
    }
    store_ = std::move(store->store);
    open_nudge_socket();
    signals_.async_wait([this](std::error_code ec, int sig) { on_signal(ec, sig); });
    std::uint64_t watchdog_usec = 0;
    if (sd_watchdog_enabled(0, &watchdog_usec) > 0 && watchdog_usec > 0) {
      watchdog_period_ = std::chrono::microseconds(watchdog_usec / 2);
      pet_watchdog();
    }
    log::notice("agent for " + cfg_.center_id + " started; store " + cfg_.store_path + ", hub " + cfg_.hub_address +
                ", every " + std::to_string(cfg_.sync_interval_seconds) + " s");
    sd_notify(0, "READY=1");
    notify_status();
    schedule(std::chrono::milliseconds(0));
    io_.run();
    if (worker_.joinable()) worker_.join();
    std::error_code ignored;
    std::filesystem::remove(nudge_socket_path(cfg_.store_path), ignored);
    sd_notify(0, "STOPPING=1");
    log::notice("agent stopped");
    return 0;
  }

 private:
  static Status check_config(const AgentConfig& c) { return require_hub_keys(c, N_("{}: {}: required by the agent")); }

  void open_nudge_socket() {
    std::string path = nudge_socket_path(cfg_.store_path);
    std::error_code ec;
    std::filesystem::remove(path, ec);
    nudge_.open(asio::local::datagram_protocol(), ec);
    if (!ec) nudge_.bind(asio::local::datagram_protocol::endpoint(path), ec);
    if (ec) {
      log::warning("no nudge socket at " + path + " (" + ec.message() + "); local writes sync at the next interval");
      return;
    }
    // Registrars in group epsync nudge too: the socket is shared like the store beside it.
    if (Status s = set_new_file_mode(path); !s.ok())
      log::warning("the nudge socket " + path + " keeps its mode (" + s.message() + ")");
    receive_nudge();
  }

  void receive_nudge() {
    nudge_.async_receive(asio::buffer(nudge_buf_), [this](std::error_code ec, std::size_t) {
      if (ec || stopping_) return;
      if (syncing_) {
        again_ = true;  // a write landed during this session: go again right after it
      } else if (!nudge_pending_) {
        nudge_pending_ = true;
        schedule(kNudgeDelay);  // gathers a burst of writes into one session
      }
      receive_nudge();
    });
  }

  void schedule(std::chrono::steady_clock::duration d) {
    timer_.expires_after(d);
    timer_.async_wait([this](std::error_code ec) {
      if (!ec) start_sync();
    });
  }

  void start_sync() {
    if (stopping_ || syncing_) return;
    syncing_ = true;
    again_ = false;
    nudge_pending_ = false;
    if (worker_.joinable()) worker_.join();
    worker_ = std::thread([this, cfg = cfg_] {
      Status s = sync_on_worker(cfg);
      asio::post(io_, [this, s] { finished(s); });
    });
  }

  // One session, on the worker thread, with its own store connection.
  Status sync_on_worker(const AgentConfig& cfg) {
    SyncOnceOptions opt;
    opt.register_stop = [this](std::function<void()> stop) {
      std::lock_guard<std::mutex> lock(stop_mu_);
      stop_client_ = std::move(stop);
      if (stopping_ && stop_client_) stop_client_();
    };
    auto outcome = sync_once(cfg, opt);
    return outcome.ok() ? outcome->status : outcome.status();
  }

  void finished(const Status& s) {
    syncing_ = false;
    if (stopping_) {
      io_.stop();
      return;
    }
    if (s.ok()) {
      failures_ = 0;
      last_ok_ms_ = now_ms();
      last_error_.clear();
      log::info("synced with " + cfg_.hub_address);
      schedule(again_ ? std::chrono::steady_clock::duration(kNudgeDelay)
                      : std::chrono::steady_clock::duration(std::chrono::seconds(cfg_.sync_interval_seconds)));
    } else {
      ++failures_;
      last_error_ = s.message();
      // Exponential backoff with jitter: 5 s, 10 s, 20 s ... capped at 15 min, each +-25 %.
      auto base = kFirstBackoff * (1LL << std::min(failures_ - 1, 10));
      if (base > kMaxBackoff) base = kMaxBackoff;
      std::uniform_real_distribution<double> jitter(0.75, 1.25);
      auto delay = std::chrono::milliseconds(static_cast<std::int64_t>(
          static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(base).count()) * jitter(rng_)));
      next_retry_ms_ = delay.count();
      log::warning("sync failed (" + std::to_string(failures_) + " in a row): " + s.message() + "; retrying in " +
                   std::to_string(delay.count() / 1000) + " s");
      schedule(delay);
    }
    notify_status();
  }

  void notify_status() {
    std::string pending = "?";
    if (auto st = load_sync_state(*store_); st.ok())
      if (auto p = pending_changes(*store_, st->acked); p.ok()) pending = std::to_string(p.value());
    std::string line;
    if (failures_ > 0)
      line = "sync failing (" + last_error_.substr(0, 120) + "), retry in " + std::to_string(next_retry_ms_ / 1000) +
             " s, " + pending + " pending";
    else if (last_ok_ms_ > 0)
      line = "synced " + ago(last_ok_ms_) + ", " + pending + " pending";
    else
      line = "starting, " + pending + " pending";
    sd_notify(0, ("STATUS=" + line).c_str());
  }

  void pet_watchdog() {
    sd_notify(0, "WATCHDOG=1");
    watchdog_.expires_after(watchdog_period_);
    watchdog_.async_wait([this](std::error_code ec) {
      if (!ec && !stopping_) pet_watchdog();
    });
  }

  void on_signal(std::error_code ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      auto fresh = load_agent_config(opt_.config_path);
      Status s = fresh.ok() ? check_config(fresh.value()) : fresh.status();
      if (s.ok() && !opt_.store_override.empty()) fresh->store_path = opt_.store_override;
      if (s.ok() && fresh->store_path != cfg_.store_path) s = Status::InvalidInput("store.path cannot change without a restart");
      if (s.ok() && fresh->center_id != cfg_.center_id) s = Status::InvalidInput("center.id cannot change without a restart");
      if (s.ok()) {
        cfg_ = fresh.value();
        log::notice("reloaded " + opt_.config_path + " (certificates are read at every session)");
        schedule(std::chrono::milliseconds(0));
      } else {
        log::error("reload refused, keeping the running configuration: " + s.message());
      }
      signals_.async_wait([this](std::error_code e, int sg) { on_signal(e, sg); });
      return;
    }
    log::notice("stopping");
    stopping_ = true;
    timer_.cancel();
    watchdog_.cancel();
    std::error_code ignored;
    nudge_.close(ignored);
    {
      std::lock_guard<std::mutex> lock(stop_mu_);
      if (stop_client_) stop_client_();
    }
    if (!syncing_) io_.stop();
  }

  AgentDaemonOptions opt_;
  AgentConfig cfg_;
  std::unique_ptr<Store> store_;  // the io thread's own connection (status lines)
  asio::io_context io_;
  asio::signal_set signals_{io_, SIGINT, SIGTERM, SIGHUP};
  asio::steady_timer timer_{io_}, watchdog_{io_};
  asio::local::datagram_protocol::socket nudge_{io_};
  std::array<char, 64> nudge_buf_{};
  std::chrono::microseconds watchdog_period_{0};
  std::thread worker_;
  std::mutex stop_mu_;
  std::function<void()> stop_client_;
  std::atomic<bool> stopping_{false};
  bool syncing_ = false, again_ = false, nudge_pending_ = false;
  int failures_ = 0;
  std::int64_t last_ok_ms_ = 0, next_retry_ms_ = 0;
  std::string last_error_;
  std::mt19937 rng_{std::random_device{}()};
};

}  // namespace

int run_agent_daemon(const AgentDaemonOptions& opt) {
  auto cfg = load_agent_config(opt.config_path);
  if (!cfg.ok()) {
    log::error(cfg.status().message());
    return 2;
  }
  if (!opt.store_override.empty()) cfg->store_path = opt.store_override;
  AgentDaemon daemon(opt, cfg.value());
  return daemon.run();
}

}  // namespace epsync
