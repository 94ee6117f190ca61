#include "util/log.h"

#include <cstdio>
#include <mutex>

namespace epsync::log {

namespace {
std::mutex mu;
Level min_level = Level::kInfo;
}  // namespace

void set_min_level(Level level) { min_level = level; }

void write(Level level, const std::string& message) {
  if (static_cast<int>(level) > static_cast<int>(min_level)) return;
  std::lock_guard<std::mutex> lock(mu);
  std::fprintf(stderr, "<%d>%s\n", static_cast<int>(level), message.c_str());
  std::fflush(stderr);
}

}  // namespace epsync::log
