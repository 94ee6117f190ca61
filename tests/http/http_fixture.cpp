#include "http/http_fixture.h"

#include <chrono>
#include <thread>

namespace epsync::test {

HttpHub::HttpHub(NetWorld& world, std::string tok) : w(world), token(std::move(tok)) {
  config = w.dir.file("hub-http.toml");
  log_path = w.dir.file("hub-http.log");
  if (w.port == 0) w.port = free_port();
}

HttpHub::~HttpHub() {
  if (hub_) hub_->stop(std::chrono::seconds(5));
}

void HttpHub::write_config(const std::string& http_address) {
  std::string t = "[listen]\naddress = \"" + w.hub_address() + "\"\n[tls]\nca = \"" + w.ca_crt + "\"\ncert = \"" +
                  w.dir.file("hub.crt") + "\"\nkey = \"" + w.dir.file("hub.key") + "\"\n" +
                  (crl.empty() ? "" : "crl = \"" + crl + "\"\n") + "[store]\npath = \"" +
                  w.hub_db + "\"\n[http]\naddress = \"" +
                  (http_address.empty() ? "127.0.0.1:" + std::to_string(http_port) : http_address) + "\"\n";
  if (!token.empty()) t += "token = \"" + token + "\"\n";
  write_file_bytes(config, t);
}

void HttpHub::start(const std::string& http_address) {
  REQUIRE_MESSAGE(!hub_, "the hub runs already");
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (attempt > 0) {
      w.port = free_port();
      for (auto& [id, c] : w.centres) w.write_agent_config(c, c.config);
    }
    if (attempt > 0 || http_port == 0) http_port = free_port();
    write_config(http_address);
    std::size_t from = log().size();
    hub_ = std::make_unique<ChildProcess>(std::vector<std::string>{EPSYNC_BINARY, "hub", "--config", config},
                                          w.dir.file("hub-http.out"), log_path);
    std::string said = wait_for_hub_log(*hub_, log_path, from, "hub listening on");
    bool sync_up = said.find("hub listening on " + w.hub_address()) != std::string::npos;
    bool http_up = said.find("http listening on 127.0.0.1:" + std::to_string(http_port)) != std::string::npos;
    if (sync_up && (http_up || !http_address.empty())) return;
    stop_failed_hub(hub_, said);
  }
  FAIL("the hub could not find free ports");
}

int HttpHub::stop() { return stop_hub_process(hub_); }

httplib::Result HttpHub::get(const std::string& path, bool with_token) {
  httplib::Headers h;
  if (with_token) h.emplace("Authorization", "Bearer " + token);
  return get(path, h);
}

httplib::Result HttpHub::get(const std::string& path, const httplib::Headers& headers) {
  httplib::Client c("127.0.0.1", http_port);
  c.set_connection_timeout(3, 0);
  c.set_read_timeout(20, 0);
  return c.Get(path, headers);
}

RunResult HttpHub::cli(std::vector<std::string> args) {
  args.insert(args.begin(), "hub");
  args.push_back("--config");
  args.push_back(config);
  return w.epsync(args);
}

std::string basic_auth(const std::string& user, const std::string& password) {
  static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string in = user + ":" + password, out;
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char ch : in) {
    buffer = (buffer << 8) | ch;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += abc[(buffer >> bits) & 63];
    }
  }
  if (bits > 0) out += abc[(buffer << (6 - bits)) & 63];
  while (out.size() % 4) out += '=';
  return "Basic " + out;
}

}  // namespace epsync::test
