// The CLI's nudge to a running agent daemon after a local write, so it syncs within a second: one
// datagram to a Unix socket beside the store. Never blocks and never fails the command: with no
// daemon listening the datagram just goes nowhere.
#pragma once

#include <string>

namespace epsync {

std::string nudge_socket_path(const std::string& store_path);
void nudge_agent(const std::string& store_path);

}  // namespace epsync
