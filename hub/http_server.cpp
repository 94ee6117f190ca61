#include "hub/http_server.h"

#include <arpa/inet.h>
#include <httplib.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "hub/crl_state.h"
#include "hub/dashboard.h"
#include "hub/report.h"
#include "hub/report_json.h"
#include "hub/review.h"
#include "hub/html.h"
#include "records/date.h"
#include "records/row_rules.h"
#include "storage/store.h"
#include "util/address.h"
#include "util/i18n.h"
#include "util/log.h"
#include "records/model.h"

namespace epsync::hub {

namespace {

constexpr const char* kText = "text/plain; charset=utf-8";
constexpr const char* kJson = "application/json; charset=utf-8";
constexpr const char* kHtml = "text/html; charset=utf-8";

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A connection of this request's own, which cannot write: the store thread owns the only writer.
Result<std::unique_ptr<Store>> open_reader(const std::string& path) {
  StoreOptions o = eps_store_options();
  o.create = false;
  o.busy_timeout_ms = 2000;
  o.operator_name = "http";
  auto s = Store::open(path, o);
  if (!s.ok()) return s.status();
  EPSYNC_RETURN_IF_ERROR(s.value()->db().exec("PRAGMA query_only = ON"));
  return s;
}

std::optional<std::string> base64_decode(std::string_view in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : in) {
    int v = value(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

// Compares in time that depends only on the token's length, not on where the first difference is.
bool same_secret(std::string_view given, std::string_view token) {
  unsigned diff = given.size() != token.size() ? 1u : 0u;
  for (size_t i = 0; i < token.size(); ++i)
    diff |= static_cast<unsigned char>(token[i]) ^ static_cast<unsigned char>(i < given.size() ? given[i] : 0);
  return diff == 0 && !token.empty();
}

enum class Auth { kOk, kMissing, kWrong };

Auth authenticate(const httplib::Request& req, const std::string& token) {
  std::string h = req.get_header_value("Authorization");
  if (h.empty()) return Auth::kMissing;
  auto space = h.find(' ');
  if (space == std::string::npos) return Auth::kWrong;
  std::string scheme = h.substr(0, space);
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view cred(h);
  cred.remove_prefix(space + 1);
  while (!cred.empty() && cred.front() == ' ') cred.remove_prefix(1);
  while (!cred.empty() && cred.back() == ' ') cred.remove_suffix(1);
  if (scheme == "bearer") return same_secret(cred, token) ? Auth::kOk : Auth::kWrong;
  if (scheme == "basic") {
    auto decoded = base64_decode(cred);
    if (!decoded) return Auth::kWrong;
    auto colon = decoded->find(':');
    if (colon == std::string::npos) return Auth::kWrong;
    return same_secret(std::string_view(*decoded).substr(colon + 1), token) ? Auth::kOk : Auth::kWrong;
  }
  return Auth::kWrong;
}

std::string json_error(const std::string& message) {
  return nlohmann::json{{"error", message}}.dump() + "\n";
}

bool is_ip(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

struct HttpServer::Impl {
  Impl(Options o, const HubMetrics& m) : opt(std::move(o)), metrics(m) {}
  Options opt;
  const HubMetrics& metrics;
  httplib::Server server;
  std::thread thread;
  std::atomic<bool> done{true};
  std::string bound;

  void routes();
  void healthz(httplib::Response& res);
  void metrics_page(httplib::Response& res);
  void report(const httplib::Request& req, httplib::Response& res);
  void dashboard(const httplib::Request& req, httplib::Response& res);
};

HttpServer::HttpServer(Options opt, const HubMetrics& metrics) : impl_(std::make_unique<Impl>(std::move(opt), metrics)) {}

HttpServer::~HttpServer() { stop(); }

std::string HttpServer::bound_address() const { return impl_->bound; }

void HttpServer::Impl::routes() {
  server.new_task_queue = [] { return new httplib::ThreadPool(4); };
  server.set_read_timeout(5, 0);
  server.set_write_timeout(10, 0);
  server.set_keep_alive_timeout(5);
  server.set_keep_alive_max_count(100);
  server.set_payload_max_length(16 * 1024);  // nothing here takes a body
  server.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                              {"Cache-Control", "no-store"},
                              {"Referrer-Policy", "no-referrer"},
                              {"X-Frame-Options", "DENY"}});
  server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    log::debug("http: " + req.method + " " + req.path + " " + std::to_string(res.status));
  });
  server.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown error";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    log::error("http: " + req.path + ": " + what);
    res.status = 500;
    res.set_content("internal error\n", kText);
  });
  server.set_error_handler(httplib::Server::Handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) res.set_content(res.status == 404 ? "not found\n" : "error\n", kText);
  }));
  // Authentication comes before routing, so an unknown path says nothing without the token.
  server.set_pre_routing_handler([this](const httplib::Request& req,
                                        httplib::Response& res) -> httplib::Server::HandlerResponse {
    if (req.path == "/healthz") return httplib::Server::HandlerResponse::Unhandled;
    if (opt.token.empty()) {
      res.status = 403;
      res.set_content("only /healthz is served: no http.token is configured in hub.toml\n", kText);
      return httplib::Server::HandlerResponse::Handled;
    }
    Auth a = authenticate(req, opt.token);
    if (a == Auth::kOk) return httplib::Server::HandlerResponse::Unhandled;
    if (a == Auth::kWrong) log::warning("http: refused " + req.path + " from " + req.remote_addr + ": wrong token");
    res.status = 401;
    res.set_header("WWW-Authenticate", "Basic realm=\"epsync hub\", charset=\"UTF-8\"");
    res.set_content(
        "authentication required: Authorization: Bearer TOKEN, or basic authentication with the token as "
        "password\n",
        kText);
    return httplib::Server::HandlerResponse::Handled;
  });
  server.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) { healthz(res); });
  server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) { metrics_page(res); });
  server.Get("/api/report", [this](const httplib::Request& req, httplib::Response& res) { report(req, res); });
  server.Get("/", [this](const httplib::Request& req, httplib::Response& res) { dashboard(req, res); });
}

void HttpServer::Impl::healthz(httplib::Response& res) {
  auto store = open_reader(opt.store_path);
  Status s = store.status();
  if (s.ok()) {
    auto st = store.value()->db().prepare("SELECT count(*) FROM center");
    if (!st.ok()) s = st.status();
    else if (auto r = st->step(); !r.ok()) s = r.status();
  }
  if (s.ok()) {
    // The CRL near or past its nextUpdate: degraded; past it, no centre can sync (503).
    std::int64_t next = metrics.crl_next_update_s.load(std::memory_order_relaxed), now = unix_now();
    std::string problem = crl_problem(next, now);
    if (problem.empty()) return res.set_content("ok", kText);
    if (crl_state(next, now) == CrlState::kExpired) res.status = 503;
    return res.set_content("degraded: " + problem + "\n", kText);
  }
  log::warning("http: /healthz: the hub store does not answer: " + s.message());
  res.status = 503;
  res.set_content("store unavailable\n", kText);
}

void HttpServer::Impl::metrics_page(httplib::Response& res) {
  StoreView view;
  auto store = open_reader(opt.store_path);
  if (store.ok()) {
    auto health = center_health(*store.value(), now_ms());
    if (health.ok()) {
      view.ok = true;
      view.centres = std::move(health).value();
    } else {
      log::warning("http: /metrics: cannot read centre health: " + health.status().message());
    }
  } else {
    log::warning("http: /metrics: cannot open the hub store: " + store.status().message());
  }
  res.set_content(render_metrics(metrics, view, opt.version), "text/plain; version=0.0.4; charset=utf-8");
}

void HttpServer::Impl::report(const httplib::Request& req, httplib::Response& res) {
  std::string by_text = req.has_param("by") ? req.get_param_value("by") : "region";
  auto by = parse_group_by(by_text);
  if (!by) {
    res.status = 400;
    return res.set_content(json_error("by: must be region, center or sector, got '" + by_text + "'"), kJson);
  }
  Date as_of = today_local();
  if (req.has_param("as_of")) {
    std::string text = req.get_param_value("as_of");
    if (auto why = date_problem(text)) {
      res.status = 400;
      return res.set_content(json_error("as_of: " + *why), kJson);
    }
    as_of = *parse_input_date(text);
  }
  auto store = open_reader(opt.store_path);
  Result<std::vector<ReportRow>> rows = store.ok() ? readiness_report(*store.value(), *by, as_of)
                                                   : Result<std::vector<ReportRow>>(store.status());
  if (!rows.ok()) {
    log::warning("http: /api/report: " + rows.status().message());
    res.status = 503;
    return res.set_content(json_error("the hub store cannot be read now"), kJson);
  }
  res.set_content(report_json(rows.value(), *by, as_of) + "\n", kJson);
}

void HttpServer::Impl::dashboard(const httplib::Request& req, httplib::Response& res) {
  Date as_of = today_local();
  if (req.has_param("as_of") && !req.get_param_value("as_of").empty()) {
    const std::string text = req.get_param_value("as_of");
    if (auto why = date_problem(text)) {
      // The reason quotes the value as given: escaped, like everything a request brings.
      res.status = 400;
      Html h;
      h.raw("<!DOCTYPE html><html lang=\"").raw(lang_code(current_lang())).raw("\"><meta charset=\"utf-8\"><title>")
          .text(tr("The reference date is not a date")).raw("</title><h1>").text(tr("The reference date is not a date"))
          .raw("</h1><p id=\"error\">as_of: ").text(*why).raw("</p><p><a href=\"/\">").text(tr("Today's figures"))
          .raw("</a></p></html>\n");
      return res.set_content(h.take(), kHtml);
    }
    as_of = *parse_input_date(text);
  }
  auto store = open_reader(opt.store_path);
  Result<DashboardData> data = store.ok() ? gather_dashboard(*store.value(), as_of, now_ms())
                                          : Result<DashboardData>(store.status());
  if (!data.ok()) {
    log::warning("http: /: " + data.status().message());
    res.status = 503;
    return res.set_content(
        "<!DOCTYPE html><html lang=\"en\"><meta charset=\"utf-8\"><title>Unavailable</title><p>The hub store cannot "
        "be read now; try again in a moment.</p></html>\n",
        kHtml);
  }
  // The page's own inline style and script, nothing else: injected markup could not run anyway.
  std::string nonce = new_random_id();
  res.set_header("Content-Security-Policy", "default-src 'none'; style-src 'nonce-" + nonce + "'; script-src 'nonce-" +
                                                nonce + "'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
                                                "frame-ancestors 'none'");
  res.set_content(render_dashboard(data.value(), nonce), kHtml);
}

Status HttpServer::start() {
  Impl& m = *impl_;
  std::string host, port_text;
  if (Status s = split_address(m.opt.address, host, port_text); !s.ok()) return s;
  if (!is_ip(host)) return Status::InvalidInput("'" + host + "' is not an IP address");
  int port = -1;
  try {
    size_t used = 0;
    port = std::stoi(port_text, &used);
    if (used != port_text.size()) port = -1;
  } catch (...) {
  }
  if (port < 0 || port > 65535) return Status::InvalidInput("'" + port_text + "' is not a port number");
  m.routes();
  errno = 0;
  if (port == 0) {
    port = m.server.bind_to_any_port(host);
    if (port < 0) return Status::IoError(std::strerror(errno ? errno : EADDRINUSE));
  } else if (!m.server.bind_to_port(host, port)) {
    return Status::IoError(std::strerror(errno ? errno : EADDRINUSE));
  }
  m.bound = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
  m.done = false;
  m.thread = std::thread([&m] {
    m.server.listen_after_bind();
    m.done = true;
  });
  return Status::Ok();
}

void HttpServer::stop() {
  Impl& m = *impl_;
  if (!m.thread.joinable()) return;
  // The listener may not have started its loop yet: stop() only acts on a running server.
  while (!m.done) {
    if (m.server.is_running()) {
      m.server.stop();
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  m.thread.join();
}

int start_http(const HubConfig& cfg, const HubMetrics& metrics, const std::string& version,
               std::optional<HttpServer>& http) {
  // Metrics, health and the dashboard, on threads of their own with their own read-only store
  // connections. A port that cannot be bound does not stop the sync service.
  if (cfg.http_address.empty()) {
    log::notice("HTTP is off (http.address is empty): no metrics, health or dashboard");
  } else {
    if (cfg.http_token.empty())
      log::warning("no http.token in " + cfg.source + ": HTTP serves only /healthz, not /metrics or the dashboard");
    http.emplace(HttpServer::Options{cfg.http_address, cfg.http_token, cfg.store_path, version}, metrics);
    if (Status s = http->start(); s.code() == Status::Code::kInvalidInput) {
      log::error(cfg.source + ": http.address: " + s.message());
      return 2;
    } else if (!s.ok()) {
      // A warning, not an error: the hub does its real work; /healthz probes notice the gap.
      log::warning("cannot listen for HTTP on " + cfg.http_address + ": " + s.message() +
                   "; syncing goes on without metrics, health and dashboard");
      http.reset();
    } else {
      std::string where = http->bound_address();
      bool loopback = where.rfind("127.", 0) == 0 || where.rfind("[::1]", 0) == 0;
      log::notice("http listening on " + where + " (/healthz, /metrics, /api/report, dashboard at /)");
      if (!loopback && !cfg.http_token.empty())
        log::warning("HTTP on " + where + " is not encrypted: the token crosses the network in clear; "
                     "put a TLS reverse proxy in front or listen on 127.0.0.1");
    }
  }
  return 0;
}

}  // namespace epsync::hub
