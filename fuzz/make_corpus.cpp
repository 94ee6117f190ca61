// Writes the encoder-made seeds of fuzz/corpus/codec and fuzz/corpus/frame (real messages and
// frames, as the agent and the hub send them). The CSV and TOML seeds are plain files, kept by hand.
//   cmake --build build --target fuzz_make_corpus && build/fuzz/fuzz_make_corpus fuzz/corpus
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "sync/codec.h"
#include "sync/frame.h"

namespace fs = std::filesystem;
using namespace epsync;
using namespace epsync::sync;

namespace {

void write(const fs::path& dir, const std::string& name, const std::string& bytes) {
  fs::create_directories(dir);
  std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", (dir / name).c_str());
    std::exit(1);
  }
}

RowChange change(std::string table, std::string center, std::int64_t seq, std::vector<CellChange> cells) {
  RowChange c;
  c.table = std::move(table);
  c.row_id = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
  c.center = std::move(center);
  c.hlc = (std::int64_t{1717000000000} << 16) | seq;
  c.site = std::string(32, 'a');
  c.site_seq = seq;
  c.op = "registrar";
  c.cells = std::move(cells);
  return c;
}

// A trainee's row change with every kind of value, null included.
RowChange sample_trainee() {
  return change("trainee", "ALM-014", 7,
                {{"surname", std::string("Әлия"), 0, ""},
                 {"iin", std::string("900101400123"), 0, ""},
                 {"deleted", std::int64_t{0}, 99, std::string(32, 'b')},
                 {"patronymic", std::monostate{}, 0, ""}});
}

// One message of every kind, some at the edges of their fields.
std::vector<std::pair<std::string, Message>> codec_seeds() {
  RowChange trainee = sample_trainee();
  RowChange result = change("test_result", "SHY-002", 8,
                            {{"score", 87.5, 0, ""},
                             {"max_score", std::int64_t{-1}, std::numeric_limits<std::int64_t>::max(), "c"},
                             {"ratio", -0.0, 1, std::string(32, 'd')}});
  RowChange rules = change("rules", "*", 1, {{"value", std::string("{\"max_age\": 45}"), 0, ""}});
  RowChange tombstone = change("medical_check", "ALM-014", 9, {{"deleted", std::int64_t{1}, 5, std::string(32, 'a')}});

  return {
      {"hello", Hello{1, 1, 1, 1, "ALM-014", std::string(32, 'a'), "0.1.0", {"zstd"}}},
      {"hello-no-compression", Hello{1, 2, 1, 3, "SHY-002", std::string(32, 'e'), "0.2.0-rc1", {}}},
      {"welcome", Welcome{1, 1, "7c9e6679742540de944be07fc1f90ae7", 42, 1717000000000, "zstd", 1 << 20, 300000}},
      {"welcome-fresh", Welcome{1, 1, "epoch", 0, -1, "", 1, 0}},
      {"heartbeat", Heartbeat{"0.1.0", 3, 12, 60, -1200, std::int64_t{1} << 40, 1800000000, ""}},
      {"heartbeat-error", Heartbeat{"0.1.0", 0, 0, 0, 0, 0, 0, "tls: certificate required"}},
      {"push", Push{9, {trainee, result}}},
      {"push-empty", Push{0, {}}},
      {"push-max-batch", Push{std::numeric_limits<std::uint64_t>::max() >> 1, {tombstone}}},
      {"ack", Ack{9, 12, {}}},
      {"ack-quarantined", Ack{10, 14, {{11, "trainee.sex: must be one of F, M"}, {13, "trainee.iin: bad check digit"}}}},
      {"pull", Pull{44, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:7", 1 << 20}},
      {"pull-start", Pull{0, "", 1}},
      {"changes", Changes{{rules, trainee}, 45, "bbbb:2", true, false}},
      {"changes-reset", Changes{{}, 0, "", false, true}},
      {"ping", Ping{}},
      {"pong", Pong{}},
      {"bye", Bye{}},
      {"error", Error{"version", "upgrade the agent"}},
      {"error-forbidden", Error{kErrorForbiddenRow, "row owned by another centre"}},
  };
}

// Frames: what a session's byte stream looks like, and the edges the reader must refuse.
std::vector<std::pair<std::string, std::string>> frame_seeds(const std::vector<std::pair<std::string, Message>>& messages) {
  std::string hello = encode_message(messages[0].second);
  std::string push = encode_message(messages[6].second);
  std::string big_push;
  {
    Push p{10, {}};
    for (int i = 0; i < 40; ++i) p.changes.push_back(sample_trainee());
    big_push = encode_message(p);
  }
  std::vector<std::pair<std::string, std::string>> frames = {
      {"hello-plain", make_frame(hello, false)},
      {"push-plain", make_frame(push, false)},
      {"push-zstd", make_frame(big_push, true)},
      {"session-agent", make_frame(hello, false) + make_frame(encode_message(messages[4].second), false) +
                            make_frame(big_push, true) + make_frame(encode_message(Pull{0, "", 1 << 20}), false) +
                            make_frame(encode_message(Bye{}), false)},
      {"session-hub", make_frame(encode_message(messages[2].second), false) +
                          make_frame(encode_message(messages[10].second), false) +
                          make_frame(encode_message(messages[13].second), true)},
      {"zstd-100k", make_frame(std::string(100000, 'x'), true)},
      {"zstd-bomb", make_frame(std::string(kMaxFrameBytes + 1, 'y'), true)},
      {"truncated", make_frame(push, false).substr(0, 20)},
      {"length-zero", std::string("\0\0\0\0", 4)},
      {"length-4g", std::string("\xff\xff\xff\xff", 4)},
      {"bad-flags", std::string("\0\0\0\2\x80\xc0", 6)},
      {"zstd-not-zstd", std::string("\0\0\0\5\1abcd", 9)},
  };
  {
    // A compressed frame with its content size flipped: damaged zstd.
    std::string f = make_frame(std::string(5000, 'z'), true);
    f[f.size() / 2] = static_cast<char>(f[f.size() / 2] ^ 0x55);
    frames.emplace_back("zstd-damaged", f);
  }
  return frames;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s fuzz/corpus\n", argv[0]);
    return 2;
  }
  fs::path root = argv[1];
  const auto messages = codec_seeds();
  int written = 0;
  for (const auto& [name, m] : messages) {
    write(root / "codec", name + ".msgpack", encode_message(m));
    ++written;
  }
  for (const auto& [name, bytes] : frame_seeds(messages)) {
    write(root / "frame", name + ".bin", bytes);
    ++written;
  }
  std::printf("%d seeds written under %s\n", written, root.c_str());
  return 0;
}
