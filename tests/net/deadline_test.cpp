// The transports' one timer (sync/asio_tls.h, Deadline) over real sockets on 127.0.0.1. A timer
// that already expired has its completion queued; re-arming cannot cancel it any more. That late
// completion once closed a healthy session's socket ("connection to hub lost: Bad file
// descriptor" with hundreds of concurrent agents); it must be ignored.
#include <doctest/doctest.h>

#include <array>
#include <thread>

#include "sync/asio_tls.h"

using namespace epsync;
using namespace std::chrono_literals;

TEST_CASE("deadline: the late completion of an expired arming leaves a re-armed connection alone") {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  asio::ip::tcp::socket client(io), server(io);
  client.connect(acceptor.local_endpoint());
  acceptor.accept(server);

  // A bare timer beside the Deadline shows that the late completion really happens.
  asio::steady_timer bare(io);
  std::error_code bare_first{asio::error::would_block};
  bare.expires_after(1ms);
  bare.async_wait([&](std::error_code ec) { bare_first = ec; });

  sync::tls::Deadline deadline(io.get_executor());
  int expiries = 0;
  auto close_client = [&] {
    ++expiries;
    std::error_code ignored;
    client.close(ignored);
  };
  deadline.arm(sync::SessionClock::now() + 1ms, close_client);
  // Both expire while the loop is not running. The loop's first look at its timers queues their
  // completions behind the handler posted here, which re-arms both: too late to cancel them.
  std::this_thread::sleep_for(20ms);
  asio::post(io, [&] {
    bare.expires_after(10s);
    bare.async_wait([](std::error_code) {});
    deadline.arm(sync::SessionClock::now() + 10s, close_client);
  });
  io.run_for(200ms);

  CHECK(bare_first == std::error_code());  // the stale arming completed "expired" after the re-arm
  CHECK(expiries == 0);                     // ... and the Deadline ignored it
  CHECK_FALSE(deadline.fired());
  REQUIRE(client.is_open());
  // The connection still carries bytes both ways.
  std::array<char, 4> got{};
  asio::write(client, asio::buffer("ping", 4));
  asio::read(server, asio::buffer(got));
  CHECK(std::string(got.data(), 4) == "ping");
  asio::write(server, asio::buffer("pong", 4));
  asio::read(client, asio::buffer(got));
  CHECK(std::string(got.data(), 4) == "pong");

  // A current arming still fires, once.
  deadline.arm(sync::SessionClock::now() + 5ms, close_client);
  io.restart();
  io.run_for(200ms);
  CHECK(expiries == 1);
  CHECK(deadline.fired());
  CHECK_FALSE(client.is_open());
}
