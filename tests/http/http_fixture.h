// The hub daemon with its HTTP listener, for the http tests: the NetWorld of the network tests
// (CA, hub certificate, centres, the real `epsync` binary) and a hub configuration of our own
// with an [http] section, the hub started as a child process on free ports of 127.0.0.1.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "net/net_fixture.h"

namespace epsync::test {

class HttpHub {
 public:
  // `token` empty: no http.token in the configuration.
  HttpHub(NetWorld& world, std::string token);
  ~HttpHub();

  NetWorld& w;
  std::string token, config, log_path;
  std::string crl;  // tls.crl, if set before start()
  std::uint16_t http_port = 0;

  // Starts the daemon and waits until both listeners are up (new ports if one was taken).
  // `http_address` overrides the [http] address (e.g. one that is taken on purpose).
  void start(const std::string& http_address = "");
  int stop();  // SIGTERM; the exit code
  std::string log() const { return read_file_bytes(log_path); }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(http_port); }

  // A client of the HTTP listener; with_token: "Authorization: Bearer TOKEN".
  httplib::Result get(const std::string& path, bool with_token = true);
  httplib::Result get(const std::string& path, const httplib::Headers& headers);
  // `epsync hub ARGS --config <this hub's config>`.
  RunResult cli(std::vector<std::string> args);

 private:
  void write_config(const std::string& http_address);
  std::unique_ptr<ChildProcess> hub_;
};

// "Authorization: Basic base64(user:password)".
std::string basic_auth(const std::string& user, const std::string& password);

}  // namespace epsync::test
