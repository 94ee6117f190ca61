// Text that came from a store, a peer or a request, made safe to print on a terminal or to write
// as one log line: nothing in it can move the cursor, recolour the screen, or start a new line
// that journald would read with a priority of its own.
#pragma once

#include <string>
#include <string_view>

namespace epsync {

// Returns `text` with every byte or character that is not printable shown as a visible escape:
// C0 controls and DEL as \n, \r, \t or \xHH; C1 controls (U+0080-U+009F), the line and paragraph
// separators and the bidirectional embedding, override and isolate controls as \uHHHH; each byte
// that is not part of valid UTF-8 (stray, truncated, overlong, surrogate, beyond U+10FFFF) as
// \xHH. Valid printable UTF-8, Kazakh and Russian included, is copied unchanged. A backslash is
// left as it is, so a name with one prints as typed.
std::string printable(std::string_view text);

}  // namespace epsync
