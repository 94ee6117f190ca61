// A WAL sync that a test holds back: it waits until the test lets it through (for good, or one
// sync at a time), counts its calls, and can fail with EIO.
#pragma once

#include <doctest/doctest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "storage/wal_sync.h"

namespace epsync::test {

struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  int permits = 0;
  std::atomic<int> calls{0};
  int result = 0;
  WalSyncer::SyncFn fn() {
    return [this](int) {
      ++calls;
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return open || permits > 0; });
      if (!open) --permits;
      if (result != 0) errno = EIO;
      return result;
    };
  }
  void let_through() {
    {
      std::lock_guard<std::mutex> lock(mu);
      open = true;
    }
    cv.notify_all();
  }
  void let_one_through() {
    {
      std::lock_guard<std::mutex> lock(mu);
      ++permits;
    }
    cv.notify_all();
  }
  void wait_for_calls(int n) {
    for (int i = 0; i < 500 && calls < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    REQUIRE(calls == n);
  }
};

}  // namespace epsync::test
