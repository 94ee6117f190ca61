// Internal to the two TLS translation units (sync/tls_client.cpp, hub/hub_daemon.cpp): the Asio
// and OpenSSL pieces both sides use. Include only there: Asio is heavy.
#pragma once

#include <openssl/err.h>

#include <asio.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ssl.hpp>
#include <string>

namespace epsync::sync::tls {

using Stream = asio::ssl::stream<asio::ip::tcp::socket>;
// Asio 1.22 keeps as_tuple under experimental: results as (error_code, ...) instead of throws.
inline constexpr auto kTuple = asio::experimental::as_tuple(asio::use_awaitable);

// OpenSSL's reason ("certificate verify failed", "tlsv13 alert certificate required") rather
// than Asio's generic text.
inline std::string describe(const std::error_code& ec) {
  if (ec.category() == asio::error::get_ssl_category()) {
    char buf[256];
    ERR_error_string_n(static_cast<unsigned long>(ec.value()), buf, sizeof buf);
    return buf;
  }
  return ec.message();
}

}  // namespace epsync::sync::tls
