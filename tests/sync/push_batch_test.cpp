// PushBatch is the agent's bulk road to a Push: whatever the changes hold, its bytes must be the
// bytes encode_message writes for the same changes, and a change that does not fit leaves the
// batch as it was.
#include <doctest/doctest.h>

#include "storage/change_view.h"
#include "sync/codec.h"

using namespace epsync;

namespace {

// Every msgpack width a field can take: strings of fixstr, str8, str16 and str32 length,
// integers from fixint to int64 of both signs, floats, nulls, and 0, 1, 15 and 16 cells
// (fixarray and array16).
std::vector<RowChange> changes_of_every_width() {
  std::vector<RowChange> out;
  const std::vector<std::string> texts = {"", "Әлия", std::string(31, 'x'), std::string(32, 'y'),
                                          std::string(255, 'z'), std::string(256, 'w'),
                                          std::string(65535, 'v'), std::string(65536, 'u')};
  const std::vector<Value> values = {std::monostate{}, std::int64_t{0}, std::int64_t{127}, std::int64_t{128},
                                     std::int64_t{-32}, std::int64_t{-33}, std::int64_t{1} << 40,
                                     INT64_MIN, INT64_MAX, 3.0, -0.5, 1e300};
  std::int64_t seq = 0;
  for (std::size_t cells : {0u, 1u, 15u, 16u}) {
    for (std::size_t t = 0; t < texts.size(); ++t) {
      RowChange c;
      c.table = "document_check";
      c.row_id = texts[t].substr(0, 64);
      c.center = "ALM-014";
      c.hlc = (std::int64_t{1} << 62) + static_cast<std::int64_t>(t);
      c.site = std::string(32, 'a');
      c.site_seq = ++seq * 1000;
      c.op = texts[(t + 1) % texts.size()];
      for (std::size_t k = 0; k < cells; ++k) {
        Value v = (k % 3 == 0) ? Value(texts[(t + k) % texts.size()]) : values[(t + k) % values.size()];
        c.cells.push_back({"column" + std::to_string(k), v, static_cast<std::int64_t>(k * 977),
                           k % 2 ? std::string(32, 'b') : ""});
      }
      out.push_back(std::move(c));
    }
  }
  return out;
}

}  // namespace

TEST_CASE("push batch: built from views, a push is byte for byte what encode_message writes") {
  const auto changes = changes_of_every_width();
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{15}, std::size_t{16}, changes.size()}) {
    CAPTURE(n);
    std::vector<RowChange> some(changes.begin(), changes.begin() + static_cast<std::ptrdiff_t>(n));
    sync::PushBatch from_views, from_changes;
    for (const auto& c : some) {
      REQUIRE(from_views.add(view_of(c), SIZE_MAX));
      from_changes.add(c);
    }
    const std::string expected = sync::encode_message(sync::Push{77, some});
    CHECK(from_views.message(77) == expected);
    CHECK(from_changes.message(77) == expected);
    CHECK(from_views.count() == n);
    if (n) CHECK(from_views.last_site_seq() == some.back().site_seq);
    auto decoded = sync::decode_message(from_views.message(77));
    REQUIRE(decoded.ok());
    auto* push = std::get_if<sync::Push>(&decoded.value());
    REQUIRE(push);
    CHECK(push->batch == 77);
    CHECK(push->changes == some);
  }
}

TEST_CASE("push batch: empty views (null data, as the log gives for an empty previous site) encode as empty strings") {
  RowChangeView v;  // every string_view default-constructed: data() is null
  v.hlc = 1;
  v.site_seq = 1;
  v.cells.push_back({});
  v.cells.back().value = std::string_view();
  sync::PushBatch batch;
  REQUIRE(batch.add(v, SIZE_MAX));
  RowChange c;
  c.hlc = 1;
  c.site_seq = 1;
  c.cells.push_back({"", std::string(), 0, ""});
  CHECK(batch.message(5) == sync::encode_message(sync::Push{5, {c}}));
}

TEST_CASE("push batch: a change that would pass the byte limit is refused and leaves the batch as it was") {
  const auto changes = changes_of_every_width();
  sync::PushBatch batch;
  // The first change always goes in, however large: a batch must make progress.
  REQUIRE(batch.add(view_of(changes[15]), 10));
  const std::size_t first = batch.bytes();
  CHECK(first > 65536);
  const std::string before = batch.message(1);
  CHECK_FALSE(batch.add(view_of(changes[0]), first));  // any second change passes `first` bytes
  CHECK(batch.count() == 1);
  CHECK(batch.bytes() == first);
  CHECK(batch.message(1) == before);
  CHECK(batch.last_site_seq() == changes[15].site_seq);
  // Exactly at the limit fits.
  sync::PushBatch probe;
  probe.add(changes[0]);
  const std::size_t second = probe.bytes();
  CHECK(batch.add(view_of(changes[0]), first + second));
  CHECK(batch.count() == 2);
  CHECK(batch.message(1) == sync::encode_message(sync::Push{1, {changes[15], changes[0]}}));
}
