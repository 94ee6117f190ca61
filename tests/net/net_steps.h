// Steps the network tests share beyond the world itself: a centre's `epsync status --json`, the
// check that a refusal left the hub as it was, a write at the hub while its daemon runs, and raw
// clients (openssl s_client, a plain TCP socket) for what no honest agent would send.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "net/net_fixture.h"
#include "storage/change_log.h"

namespace epsync::test {

// `epsync status --json` at the centre, parsed.
nlohmann::json status_json(NetWorld& w, const std::string& centre);

// The hub holds exactly what it held (the file itself may differ: the daemon checkpoints).
void check_same(const HubState& now, const HubState& before);

// A hub-side write while the daemon runs: what an analyst's correction does.
void hub_write(NetWorld& w, const std::function<void(WriteTxn&)>& fn);

// A write at a centre's store file (or any store) with the library, beside the CLI.
void store_write(NetWorld& w, const std::string& db, const std::function<void(WriteTxn&)>& fn);

// openssl s_client against the hub, standard input from a file holding `input`, bounded in time.
RunResult s_client(NetWorld& w, const std::vector<std::string>& args, const std::string& input,
                   int timeout_seconds = 15);

// A plain TCP connection to the hub (no TLS at all), with 10 s send and receive timeouts.
int tcp_connect(std::uint16_t port);

// Reads until the peer closes (true) or the receive timeout passes (false).
bool peer_closes(int fd);

}  // namespace epsync::test
