// Fuzz builds only: toml++'s parser compiled into the fuzz executables, so that libFuzzer sees its
// coverage (Debian's libtomlplusplus.so is not instrumented). Same headers as the shared library
// (3.3.0, TOML_SHARED_LIB=1 from the imported target), so these definitions take the place of the
// library's in fuzz_config.
//
// toml++'s internal assertions are off here, as they are in the shipped library (Debian builds it
// with g++ and without them; checked: `[=` gives "expected bare key starting character" there).
// With them on, the fuzzer stops within a second on a known, harmless upstream precondition
// assertion in parser::parse_key() (a table header such as `[=` or `[[[1]]]`; fixed upstream by
// marzer/tomlplusplus PR #301; inputs in fuzz/regressions/config/toml-assert-*). ASan and UBSan
// still check every access the parser makes.
//
// The same goes for -fno-sanitize=unreachable on this file (fuzz/CMakeLists.txt): toml++ 3.3.0
// reaches __builtin_unreachable() in is_non_ascii_horizontal_whitespace() for most non-ASCII
// characters where whitespace may stand (e.g. a line starting with a Cyrillic letter), which is
// undefined behaviour in the shipped library as well (marzer/tomlplusplus #190, #295; fixed
// upstream by PR #305, not in Debian 12). The inputs are in fuzz/regressions/config/toml-unreachable-*
// and the fix epsync needs is in fuzz/README.md. With the check on, the fuzzer stops on it within
// seconds and explores nothing else.
#define TOML_ASSERT(expr) static_cast<void>(0)
#define TOML_IMPLEMENTATION 1
#include <toml++/toml.h>
