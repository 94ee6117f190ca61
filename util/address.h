// "host:port" as configured for the hub's listener, its HTTP page and the agent's hub address,
// split without any network code (so that the HTTP server needs no TLS header for it).
#pragma once

#include <string>

#include "storage/status.h"

namespace epsync {

// Splits "host:port" / "[v6]:port" (the brackets are dropped); the port must be digits.
Status split_address(const std::string& address, std::string& host, std::string& port);

}  // namespace epsync
