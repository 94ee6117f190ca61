// A scratch centre for CLI tests: runs the real `epsync` binary against a real store file.
#pragma once

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/run.h"
#include "support/temp_dir.h"

namespace epsync::test {

struct Centre {
  TempDir dir;
  std::string db = dir.file("centre.db");

  RunResult epsync(std::vector<std::string> args, bool with_db = true) const {
    args.insert(args.begin(), EPSYNC_BINARY);
    if (with_db) {
      args.push_back("--db");
      args.push_back(db);
    }
    return run(args, {{"EPSYNC_OPERATOR", "registrar-test"}, {"TZ", "Asia/Almaty"}});
  }
  RunResult run_other(std::vector<std::string> args) const { return epsync(std::move(args), false); }
  // Runs and requires success; returns stdout.
  std::string ok(std::vector<std::string> args) const {
    auto r = epsync(std::move(args));
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return r.out;
  }
  nlohmann::json json(std::vector<std::string> args) const {
    args.push_back("--json");
    return nlohmann::json::parse(ok(std::move(args)));
  }
  // The store's bytes (main file and WAL), to show that a refused command changed nothing.
  std::string snapshot() const { return read_file_bytes(db) + "|wal|" + read_file_bytes(db + "-wal"); }

  void init() const { ok({"init", "--center", "ALM-014", "--region", "almaty"}); }
  std::string add(const std::string& iin, const std::string& surname, const std::string& given,
                  const std::string& birth, const std::string& sex) const {
    auto j = json({"trainee", "add", "--iin", iin, "--surname", surname, "--given-name", given,
                   "--birth-date", birth, "--sex", sex});
    return j["id"].get<std::string>();
  }
};

// Valid IINs for fixed people (check digits computed by make_iin in storage/iin.h).
inline const char* kAliyaIin = "950101401239";   // F, 1995-01-01
inline const char* kSergeyIin = "980715301236";  // M, 1998-07-15

}  // namespace epsync::test
