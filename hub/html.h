// Building the hub's HTML pages: an appending builder that escapes text, and the formats figures,
// shares and times take on them (as people in Kazakhstan write them).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace epsync::hub {

// & < > " ' as character references: safe in element content and in quoted attribute values.
std::string html_escape(std::string_view text);

// 12345 -> "12 345" with a narrow no-break space.
std::string figure(std::int64_t n);
// "42%", or a dash when there is no whole to take a share of.
std::string percent(std::int64_t part, std::int64_t whole);
// Unix milliseconds as "YYYY-MM-DD HH:MM" in the hub's local time zone, and as ISO 8601 UTC.
std::string local_time(std::int64_t ms);
std::string utc_time(std::int64_t ms);
// A duration in words: "just now", "12 min ago", "3 h ago", "5 days ago".
std::string ago(std::int64_t ms);

class Html {
 public:
  Html& raw(std::string_view s) {
    out_ += s;
    return *this;
  }
  Html& text(std::string_view s) {
    out_ += html_escape(s);
    return *this;
  }
  Html& num(std::int64_t n) {
    out_ += std::to_string(n);
    return *this;
  }
  // <td class="num" data-field="F" data-value="N">N formatted</td>
  Html& cell(std::string_view field, std::int64_t n) {
    raw("<td class=\"num\" data-field=\"").raw(field).raw("\" data-value=\"").num(n).raw("\">");
    return raw(figure(n)).raw("</td>");
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace epsync::hub
