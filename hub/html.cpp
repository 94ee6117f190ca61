#include "hub/html.h"

#include <algorithm>
#include <cstdio>

#include "records/date.h"

namespace epsync::hub {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string figure(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += "\u202f";
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string percent(std::int64_t part, std::int64_t whole) {
  if (whole <= 0) return "\u2014";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return buf;
}

std::string local_time(std::int64_t ms) { return format_unix_time(ms, "%Y-%m-%d %H:%M", true); }

std::string utc_time(std::int64_t ms) { return utc_iso_time(ms); }

std::string ago(std::int64_t ms) {
  std::int64_t s = std::max<std::int64_t>(0, ms / 1000);
  if (s < 90) return "just now";
  if (s < 90 * 60) return std::to_string((s + 30) / 60) + " min ago";
  if (s < 36 * 3600) return std::to_string((s + 1800) / 3600) + " h ago";
  return std::to_string((s + 43200) / 86400) + " days ago";
}

}  // namespace epsync::hub
