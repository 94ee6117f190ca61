#include "util/address.h"

namespace epsync {

Status split_address(const std::string& address, std::string& host, std::string& port) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 == address.size())
    return Status::InvalidInput("address '" + address + "' must be host:port");
  host = address.substr(0, colon);
  port = address.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty() || port.find_first_not_of("0123456789") != std::string::npos)
    return Status::InvalidInput("address '" + address + "' must be host:port");
  return Status::Ok();
}

}  // namespace epsync
