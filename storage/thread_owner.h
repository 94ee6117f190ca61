// Thread rules as checks rather than prose: an object that must be used from one thread records
// that thread (given, or the first to use it) and asserts every later use comes from it. Debug
// builds only; a release build compiles the checks away.
#pragma once

#include <atomic>
#include <cassert>
#include <thread>

namespace epsync {

class ThreadOwner {
 public:
  ThreadOwner() = default;
  explicit ThreadOwner(std::thread::id owner) : owner_(owner) {}

  // Binds the owner to `owner` (a thread the object starts, say).
  void bind(std::thread::id owner) { owner_.store(owner, std::memory_order_relaxed); }

  // Asserts that the calling thread owns the object; the first call binds it when nothing did.
  void assert_on_owner_thread() {
#ifndef NDEBUG
    const std::thread::id me = std::this_thread::get_id();
    std::thread::id expected{};
    if (owner_.compare_exchange_strong(expected, me, std::memory_order_relaxed)) return;
    assert(expected == me && "called from a thread other than the one that owns this object");
#endif
  }

 private:
  std::atomic<std::thread::id> owner_{};
};

}  // namespace epsync
