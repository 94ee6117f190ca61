// printable(): what a terminal or journald would act on becomes a visible escape; every valid
// printable character, Kazakh and Russian letters included, stays as it is.
#include "util/printable.h"

#include <doctest/doctest.h>

using epsync::printable;
using namespace std::string_literals;

TEST_CASE("printable: ASCII controls and DEL are escaped, printable ASCII is not") {
  CHECK(printable("plain text, 100% ok: [a-z] {x} ~") == "plain text, 100% ok: [a-z] {x} ~");
  CHECK(printable("a\nb\rc\td") == "a\\nb\\rc\\td");
  CHECK(printable("x\n<0>forged") == "x\\n<0>forged");
  CHECK(printable("\x01\x07\x08\x1f\x7f"s) == "\\x01\\x07\\x08\\x1f\\x7f");
  CHECK(printable("a\0b"s) == "a\\x00b");
  CHECK(printable("") == "");
  CHECK(printable("back\\slash") == "back\\slash");
}

TEST_CASE("printable: terminal escape sequences lose their ESC and CSI") {
  CHECK(printable("\x1b[31mred\x1b[0m") == "\\x1b[31mred\\x1b[0m");
  CHECK(printable("\x1b]0;title\x07") == "\\x1b]0;title\\x07");
  CHECK(printable("\xc2\x9b" "31m") == "\\u009b31m");  // C1 CSI as UTF-8
  CHECK(printable("\xc2\x80\xc2\x9f") == "\\u0080\\u009f");
  CHECK(printable("\xc2\xa0") == "\xc2\xa0");  // U+00A0, the first character after C1, is kept
  CHECK(printable("\xe2\x80\xae" "evil") == "\\u202eevil");  // right-to-left override
  CHECK(printable("a\xe2\x80\xa8" "b") == "a\\u2028b");       // line separator
}

TEST_CASE("printable: bytes that are not valid UTF-8 are escaped one by one") {
  CHECK(printable("\xff\xfe") == "\\xff\\xfe");
  CHECK(printable("\x9b" "31m") == "\\x9b31m");             // a lone C1 byte (Latin-1 CSI)
  CHECK(printable("\xd0") == "\\xd0");                      // truncated at the end
  CHECK(printable("\xd0" "A") == "\\xd0A");                 // truncated before ASCII
  CHECK(printable("\xc0\xaf") == "\\xc0\\xaf");             // overlong '/'
  CHECK(printable("\xe0\x80\xaf") == "\\xe0\\x80\\xaf");    // overlong, three bytes
  CHECK(printable("\xed\xa0\x80") == "\\xed\\xa0\\x80");    // a UTF-16 surrogate
  CHECK(printable("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");  // beyond U+10FFFF
  CHECK(printable("\xf0\x9f\x98\x80") == "\xf0\x9f\x98\x80");      // U+1F600, four bytes, valid
}

TEST_CASE("printable: Kazakh and Russian text is untouched") {
  for (const char* s : {"Қасымова Әлия Серікқызы", "Ёлкин Сергей", "Ұлттық Үкімет Өңір Һ ғ ң ә і ө ұ ү һ",
                        "Емхана №4 — «Алматы»", "Алматы колледжі"})
    CHECK(printable(s) == s);
  CHECK(printable("Әлия\n\x1b[2J") == "Әлия\\n\\x1b[2J");
}
