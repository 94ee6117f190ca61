// fuzz_regressions: every file under fuzz/regressions/<target>/ (inputs that once crashed a fuzzer
// or broke one of its properties) and fuzz/corpus/<target>/ (the seeds) goes through the same entry
// point as the libFuzzer target, in the plain build. Under EPSYNC_ASAN / EPSYNC_TSAN the sanitizers
// check these runs too.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/entry_points.h"

namespace fs = std::filesystem;
using epsync::fuzz::Target;

namespace {

std::vector<fs::path> inputs_of(const std::string& target) {
  std::vector<fs::path> files;
  for (const char* kind : {"regressions", "corpus"}) {
    fs::path dir = fs::path(EPSYNC_FUZZ_DIR) / kind / target;
    if (!fs::is_directory(dir)) continue;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_regular_file() && e.path().filename().string().front() != '.') files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot read the file");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void replay(const char* name) {
  const Target* target = nullptr;
  for (const auto& t : epsync::fuzz::targets())
    if (std::string(t.name) == name) target = &t;
  REQUIRE(target != nullptr);
  auto files = inputs_of(name);
  CHECK_MESSAGE(!files.empty(), "no inputs under fuzz/corpus/" << std::string(name));
  for (const auto& f : files) {
    INFO(f.string());  // printed with any failure, and if the input crashes the runner
    std::string bytes = read_all(f);
    CHECK_NOTHROW(target->run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
  }
  MESSAGE(files.size() << " inputs replayed for " << std::string(name));
}

}  // namespace

TEST_CASE("fuzz regressions: frame reader") { replay("frame"); }
TEST_CASE("fuzz regressions: message decoder") { replay("codec"); }
TEST_CASE("fuzz regressions: CSV parser") { replay("csv"); }
TEST_CASE("fuzz regressions: configuration files") { replay("config"); }
