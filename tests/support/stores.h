// Helpers to open real store files in a test directory.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "records/model.h"
#include "storage/change_log.h"
#include "storage/store.h"
#include "support/fake_clock.h"

namespace epsync {

// Migrates a bare database with the EPS model, as a store opened with eps_store_options() would.
inline Status migrate(Db& db, int target) { return migrate(db, eps_model(), target); }

}  // namespace epsync

namespace epsync::test {

inline std::unique_ptr<Store> make_store(const std::string& path, const FakeClock& clock,
                                         const std::string& op = "registrar") {
  StoreOptions o = eps_store_options();
  o.create = true;
  o.clock = clock.fn();
  o.operator_name = op;
  auto s = Store::open(path, o);
  REQUIRE_MESSAGE(s.ok(), s.status().message());
  return std::move(s).value();
}

inline std::int64_t count_rows(Store& s, const std::string& table) {
  auto st = s.db().prepare("SELECT count(*) FROM " + table);
  REQUIRE(st.ok());
  REQUIRE(st->step().value());
  return st->column_int(0);
}

}  // namespace epsync::test
