#include "util/log.h"

#include <cstdio>
#include <mutex>

#include "util/printable.h"

namespace epsync::log {

namespace {
std::mutex mu;
Level min_level = Level::kInfo;
}  // namespace

void set_min_level(Level level) { min_level = level; }

void write(Level level, const std::string& message) {
  if (static_cast<int>(level) > static_cast<int>(min_level)) return;
  // Messages carry request paths, peer names and error texts from elsewhere: escaped, a newline
  // in one cannot start a line with a "<N>" priority of its own, nor a NUL cut it short.
  std::string line = printable(message);
  std::lock_guard<std::mutex> lock(mu);
  std::fprintf(stderr, "<%d>%s\n", static_cast<int>(level), line.c_str());
  std::fflush(stderr);
}

}  // namespace epsync::log
