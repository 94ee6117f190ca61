// The bulk decoder is only a faster road: whatever bytes arrive, decode_message must give what
// the general decoder gives, message for message and error for error.
#include "sync/bulk_decode.h"

#include <doctest/doctest.h>
#include <msgpack.hpp>

#include <functional>

#include "sync/codec.h"

using namespace epsync;

namespace {

using Packer = msgpack::packer<msgpack::sbuffer>;

RowChange change_with_every_kind_of_cell() {
  RowChange c;
  c.table = "test_result";
  c.row_id = std::string(32, '7');
  c.center = "ALM-014";
  c.hlc = (std::int64_t{1} << 62) + 5;
  c.site = std::string(32, 'a');
  c.site_seq = 123456;
  c.op = "registrar";
  c.cells = {{"score", 3.0, 0, ""},
             {"taken_on", std::string("2026-11-22"), 99, std::string(32, 'b')},
             {"note", std::string("Әлия"), -5, ""},
             {"level", std::monostate{}, 0, ""},
             {"deleted", std::int64_t{-7}, 1, "x"}};
  return c;
}

// decode_message and the general decoder agree on these bytes; returns whether they decoded.
bool agrees(std::string_view payload) {
  auto fast = sync::decode_message(payload);
  auto general = sync::decode_message_generally(payload);
  REQUIRE(fast.ok() == general.ok());
  if (!fast.ok()) {
    CHECK(fast.status().message() == general.status().message());
    return false;
  }
  CHECK(sync::encode_message(fast.value()) == sync::encode_message(general.value()));
  auto bulk = sync::decode_bulk_message(payload);
  if (bulk) CHECK(sync::encode_message(*bulk) == sync::encode_message(general.value()));
  return true;
}

void pack_str(Packer& p, std::string_view s) {
  p.pack_str(static_cast<std::uint32_t>(s.size()));
  p.pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
}

// A push written by hand: `fields` are packed in order after the map header.
template <typename F>
std::string handmade(std::uint32_t fields, F write) {
  msgpack::sbuffer buf;
  Packer p(&buf);
  p.pack_map(fields);
  write(p);
  return std::string(buf.data(), buf.size());
}

void pack_one_change(Packer& p, bool float32_score) {
  p.pack_array(1);
  p.pack_array(8);
  for (const char* s : {"test_result", "r1", "ALM-014"}) pack_str(p, s);
  p.pack_int64(77);
  pack_str(p, std::string(32, 'a'));
  p.pack_int8(3);  // a signed encoding of a positive number
  pack_str(p, "op");
  p.pack_array(1);
  p.pack_array(4);
  pack_str(p, "score");
  if (float32_score) p.pack_float(2.5f);
  else p.pack_nil();
  p.pack_int64(0);
  pack_str(p, "");
}

}  // namespace

TEST_CASE("codec: push and changes decode on the bulk path exactly as on the general path") {
  RowChange c = change_with_every_kind_of_cell();
  for (const sync::Message& m : {sync::Message{sync::Push{9, {c, c}}}, sync::Message{sync::Push{0, {}}},
                                 sync::Message{sync::Changes{{c}, 45, "y:2", true, false}},
                                 sync::Message{sync::Changes{{}, 0, "", false, true}}}) {
    CAPTURE(sync::message_name(m));
    const std::string bytes = sync::encode_message(m);
    auto bulk = sync::decode_bulk_message(bytes);
    REQUIRE(bulk.has_value());  // these are what the bulk path is for
    CHECK(sync::encode_message(*bulk) == bytes);
    CHECK(agrees(bytes));
  }
  // Hand-written: fields in another order, a float32 cell, a signed small integer, an unknown
  // scalar field, a non-string key.
  std::string reordered = handmade(4, [](Packer& p) {
    pack_str(p, "changes"); pack_one_change(p, true);
    pack_str(p, "later"); p.pack_true();
    p.pack_int(5); pack_str(p, "a key that is not a string");
    pack_str(p, "batch"); p.pack_uint64(UINT64_MAX);
  });
  CHECK_FALSE(sync::decode_bulk_message(reordered));  // no type
  reordered = handmade(5, [](Packer& p) {
    pack_str(p, "changes"); pack_one_change(p, true);
    pack_str(p, "later"); p.pack_true();
    p.pack_int(5); pack_str(p, "a key that is not a string");
    pack_str(p, "batch"); p.pack_uint64(UINT64_MAX);
    pack_str(p, "type"); pack_str(p, "push");
  });
  REQUIRE(sync::decode_bulk_message(reordered).has_value());
  CHECK(agrees(reordered));
  const auto push = std::get<sync::Push>(*sync::decode_bulk_message(reordered));
  CHECK(push.batch == UINT64_MAX);
  CHECK(push.changes.at(0).site_seq == 3);
  CHECK(std::get<double>(push.changes.at(0).cells.at(0).value) == 2.5);
}

TEST_CASE("codec: other messages and unusual layouts are left to the general decoder, with its result") {
  for (const sync::Message& m : {sync::Message{sync::Hello{1, 1, 2, 2, "ALM-014", std::string(32, 'a'), "0.1", {"zstd"}}},
                                 sync::Message{sync::Ack{9, 12, {{11, "trainee.sex: must be one of F, M"}}}},
                                 sync::Message{sync::Pull{44, "x:1", 1 << 20}}, sync::Message{sync::Ping{}},
                                 sync::Message{sync::Error{"version", "upgrade"}}}) {
    CAPTURE(sync::message_name(m));
    const std::string bytes = sync::encode_message(m);
    CHECK_FALSE(sync::decode_bulk_message(bytes));
    CHECK(agrees(bytes));
  }
  auto push_with = [](std::uint32_t extra, auto write_extra) {
    return handmade(3 + extra, [&](Packer& p) {
      pack_str(p, "type"); pack_str(p, "push");
      pack_str(p, "batch"); p.pack_uint64(4);
      pack_str(p, "changes"); pack_one_change(p, false);
      write_extra(p);
    });
  };
  // An unknown field holding an array (a newer peer's): decoded, by the general path.
  std::string newer = push_with(1, [](Packer& p) { pack_str(p, "hints"); p.pack_array(1); p.pack_int(1); });
  CHECK_FALSE(sync::decode_bulk_message(newer));
  CHECK(agrees(newer));
  // A second "changes": the first one counts, on both paths.
  std::string twice = push_with(1, [](Packer& p) { pack_str(p, "changes"); p.pack_array(0); });
  CHECK(agrees(twice));
  CHECK(std::get<sync::Push>(sync::decode_message(twice).value()).changes.size() == 1);
  // Refused on both paths with the same reason.
  std::string negative_batch = handmade(3, [](Packer& p) {
    pack_str(p, "type"); pack_str(p, "push");
    pack_str(p, "batch"); p.pack_int64(-1);
    pack_str(p, "changes"); p.pack_array(0);
  });
  CHECK_FALSE(agrees(negative_batch));
  std::string seven = handmade(3, [](Packer& p) {
    pack_str(p, "type"); pack_str(p, "push");
    pack_str(p, "batch"); p.pack_int64(1);
    pack_str(p, "changes"); p.pack_array(1); p.pack_array(7);
    for (int i = 0; i < 7; ++i) pack_str(p, "x");
  });
  CHECK_FALSE(agrees(seven));
  // A string longer than a frame can hold is refused on both paths, even where it is ignored.
  std::string oversized = push_with(1, [](Packer& p) { pack_str(p, "note"); pack_str(p, std::string(sync::kMaxFrameBytes + 1, 'x')); });
  CHECK_FALSE(sync::decode_bulk_message(oversized));
  CHECK_FALSE(agrees(oversized));
}

TEST_CASE("codec: every truncation and every single-byte change of a push decodes as the general path decodes it") {
  RowChange c = change_with_every_kind_of_cell();
  const std::string good = sync::encode_message(sync::Changes{{c, c}, 45, "y:2", true, false});
  int decoded = 0, refused = 0;
  for (size_t i = 0; i < good.size(); ++i) {
    CAPTURE(i);
    (agrees(std::string_view(good).substr(0, i)) ? decoded : refused)++;
    for (int b : {0x00, 0x01, 0x7f, 0x90, 0x94, 0x98, 0xa1, 0xc0, 0xc2, 0xc3, 0xca, 0xcb, 0xcf, 0xd3, 0xdc, 0xff}) {
      std::string changed = good;
      changed[i] = static_cast<char>(b);
      (agrees(changed) ? decoded : refused)++;
    }
  }
  // Both kinds occur, so both the agreement on values and on errors were exercised.
  CHECK(decoded > 100);
  CHECK(refused > 1000);
}

TEST_CASE("codec: any element of a row change or cell replaced by any other type decodes as the general path decodes it") {
  // Each replacement kind packs one msgpack item.
  const std::vector<std::function<void(Packer&)>> kinds = {
      [](Packer& p) { p.pack_nil(); },          [](Packer& p) { p.pack_true(); },
      [](Packer& p) { p.pack_int64(-3); },      [](Packer& p) { p.pack_uint64(UINT64_MAX); },
      [](Packer& p) { p.pack_double(0.25); },   [](Packer& p) { pack_str(p, "s"); },
      [](Packer& p) { p.pack_bin(1); p.pack_bin_body("b", 1); },
      [](Packer& p) { p.pack_array(0); },       [](Packer& p) { p.pack_map(0); }};
  int decoded = 0, refused = 0;
  for (int at = 0; at < 12; ++at) {  // 0-7 the row change's elements, 8-11 its cell's
    for (size_t k = 0; k < kinds.size(); ++k) {
      CAPTURE(at);
      CAPTURE(k);
      std::string bytes = handmade(3, [&](Packer& p) {
        pack_str(p, "type"); pack_str(p, "push");
        pack_str(p, "batch"); p.pack_uint64(4);
        pack_str(p, "changes");
        p.pack_array(1);
        p.pack_array(8);
        auto item = [&](int i, auto normal) { if (i == at) kinds[k](p); else normal(); };
        item(0, [&] { pack_str(p, "test_result"); });
        item(1, [&] { pack_str(p, "r1"); });
        item(2, [&] { pack_str(p, "ALM-014"); });
        item(3, [&] { p.pack_int64(77); });
        item(4, [&] { pack_str(p, std::string(32, 'a')); });
        item(5, [&] { p.pack_int64(3); });
        item(6, [&] { pack_str(p, "op"); });
        item(7, [&] {
          p.pack_array(1);
          p.pack_array(4);
          item(8, [&] { pack_str(p, "score"); });
          item(9, [&] { p.pack_double(1.5); });
          item(10, [&] { p.pack_int64(0); });
          item(11, [&] { pack_str(p, ""); });
        });
      });
      (agrees(bytes) ? decoded : refused)++;
    }
  }
  CHECK(decoded >= 12);  // e.g. every value kind a cell may hold
  CHECK(refused >= 60);
}
