// Rows written with the library in one transaction, as a registrar tool or an analyst's
// correction would write them, for tests that set up or change a store around the CLI.
#pragma once

#include <doctest/doctest.h>

#include <functional>

#include "storage/change_log.h"

namespace epsync::test {

// Begins a write transaction on `s`, lets `writes` fill it and commits it; the test stops when
// the transaction cannot begin or commit.
inline void write_and_commit(Store& s, const std::function<void(WriteTxn&)>& writes) {
  WriteTxn w(s);
  REQUIRE(w.begin().ok());
  writes(w);
  REQUIRE(w.commit().ok());
}

}  // namespace epsync::test
