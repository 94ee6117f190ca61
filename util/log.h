// Daemon logging on stderr with the sd-daemon priority prefixes ("<3>" error ... "<7>" debug), so
// journald keeps the levels. Callers pass only operational facts: never an IIN, a name or a
// medical result. Every message goes through printable(), so each call writes exactly one line.
#pragma once

#include <string>

namespace epsync::log {

enum class Level { kError = 3, kWarning = 4, kNotice = 5, kInfo = 6, kDebug = 7 };

void write(Level level, const std::string& message);
inline void error(const std::string& m) { write(Level::kError, m); }
inline void warning(const std::string& m) { write(Level::kWarning, m); }
inline void notice(const std::string& m) { write(Level::kNotice, m); }
inline void info(const std::string& m) { write(Level::kInfo, m); }
inline void debug(const std::string& m) { write(Level::kDebug, m); }
void set_min_level(Level level);  // default kInfo

}  // namespace epsync::log
