// One libFuzzer executable per entry point: EPSYNC_FUZZ_ENTRY names the function (fuzz/CMakeLists.txt).
#include <cstddef>
#include <cstdint>

#include "fuzz/entry_points.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  epsync::fuzz::EPSYNC_FUZZ_ENTRY(data, size);
  return 0;
}
