// The fuzzed entry points, shared by the libFuzzer executables (fuzz_main.cpp, clang only) and the
// plain regression runner (regressions_main.cpp, every build). Each takes arbitrary bytes, drives
// one parser of untrusted input, and checks properties that must hold for any input. A broken
// property throws PropertyViolation; an exception escaping the product code is let through too.
// Under libFuzzer either one ends in std::terminate, i.e. a crash with the input saved; under
// doctest it is a failed CHECK_NOTHROW naming the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace epsync::fuzz {

struct PropertyViolation : std::logic_error {
  using std::logic_error::logic_error;
};

// (a) sync::FrameReader: the stream read whole, byte by byte and in random chunks, under 4 MiB,
//     64 KiB and 300-byte limits, must agree (a lower limit only ends the read early, with an
//     error); every payload must survive make_frame() and a second reader; now and then the
//     stream is repeated past 1 MiB, where the reader compacts its buffer.
void frame_reader(const std::uint8_t* data, std::size_t size);
// (b) sync::decode_message: never crashes; when it accepts, encode(decode(x)) decodes to the same
//     message (compared through its encoding, which is injective).
void message_decoder(const std::uint8_t* data, std::size_t size);
// (c) parse_csv: never crashes; an accepted file's records, written with csv_line(), parse back
//     to the same fields. read_sheet (encodings, separators) on the same bytes: never crashes,
//     refuses only as "line N: …", and a sheet's rows are UTF-8 that parses back the same.
void csv_parser(const std::uint8_t* data, std::size_t size);
// (d) load_agent_config and load_hub_config on the bytes written to a temporary file: never
//     crash; an accepted file yields the required keys, within their bounds.
void config_parsers(const std::uint8_t* data, std::size_t size);

struct Target {
  const char* name;  // the directory under fuzz/corpus and fuzz/regressions
  void (*run)(const std::uint8_t*, std::size_t);
};
const std::vector<Target>& targets();

}  // namespace epsync::fuzz
