#include "fuzz/entry_points.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "agent/config.h"
#include "hub/hub_config.h"
#include "records/csv.h"
#include "records/csv_sheet.h"
#include "sync/bulk_decode.h"
#include "sync/codec.h"
#include "sync/frame.h"

namespace epsync::fuzz {

namespace {

[[noreturn]] void violated(const std::string& what) { throw PropertyViolation(what); }

std::string hex(std::string_view s, std::size_t max = 64) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < max; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    out += d[c >> 4];
    out += d[c & 15];
  }
  if (s.size() > max) out += "...";
  return out + " (" + std::to_string(s.size()) + " bytes)";
}

// ---- (a) frames ----

struct ReadOutcome {
  std::vector<std::string> payloads;
  bool failed = false;
  std::string error;
  std::size_t buffered = 0;
};

// Drains whatever complete payloads the reader holds. False once it reported an error (the
// connection would be closed then, so nothing more is fed).
bool drain(sync::FrameReader& r, ReadOutcome& out) {
  for (;;) {
    auto next = r.next();
    if (!next.ok()) {
      out.failed = true;
      out.error = next.status().message();
      if (out.error.empty()) violated("frame: an error without a message");
      return false;
    }
    if (!next.value()) return true;
    out.payloads.push_back(std::move(*next.value()));
  }
}

// Feeds `stream` in chunks; chunk == 0 means all at once, otherwise sizes 1..chunk drawn from a
// generator seeded with `seed` (deterministic for a given input).
ReadOutcome read_stream(std::string_view stream, std::uint32_t max, std::size_t chunk, std::uint64_t seed) {
  sync::FrameReader r(max);
  ReadOutcome out;
  std::size_t at = 0;
  while (at < stream.size()) {
    std::size_t n = stream.size() - at;
    if (chunk) {
      seed ^= seed << 13;
      seed ^= seed >> 7;
      seed ^= seed << 17;
      n = std::min<std::size_t>(n, 1 + seed % chunk);
    }
    r.feed(stream.substr(at, n));
    at += n;
    if (!drain(r, out)) return out;
  }
  if (!drain(r, out)) return out;  // nothing fed (empty input): still one call
  out.buffered = r.buffered();
  return out;
}

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h | 1;  // xorshift needs a non-zero state
}

void same_outcome(const ReadOutcome& a, const ReadOutcome& b, const char* how) {
  if (a.failed != b.failed || a.error != b.error || a.payloads != b.payloads ||
      (!a.failed && a.buffered != b.buffered))
    violated(std::string("frame: reading the stream ") + how + " differs from reading it whole: " +
             std::to_string(a.payloads.size()) + " vs " + std::to_string(b.payloads.size()) +
             " payloads, error '" + a.error + "' vs '" + b.error + "'");
}

// A reader limit of 64 KiB for the passes that repeat the work (see below), and 300 bytes to
// reach the limit checks with small inputs.
constexpr std::uint32_t kMid = 64 * 1024;
constexpr std::uint32_t kSmall = 300;

// `other` read the same stream with a limit of `max`, lower than the reference's: it may only
// stop early, with an error, and must agree on everything before that.
void agrees_below_limit(const ReadOutcome& ref, const ReadOutcome& other, std::uint32_t max, const char* how) {
  if (other.payloads.size() > ref.payloads.size())
    violated(std::string("frame: read ") + how + ", more payloads than read whole");
  for (std::size_t i = 0; i < other.payloads.size(); ++i)
    if (other.payloads[i] != ref.payloads[i])
      violated(std::string("frame: read ") + how + ", payload " + std::to_string(i) + " differs");
  if (!other.failed && (ref.failed != other.failed || ref.error != other.error ||
                        other.payloads.size() != ref.payloads.size() || other.buffered != ref.buffered))
    violated(std::string("frame: read ") + how + ", stops early without an error, or differs at the end");
  for (const auto& p : other.payloads)
    if (p.size() > max) violated("frame: a payload beyond a " + std::to_string(max) + "-byte limit");
}

}  // namespace

void frame_reader(const std::uint8_t* data, std::size_t size) {
  std::string_view stream(reinterpret_cast<const char*>(data), size);
  const std::uint64_t seed = fnv1a(stream);

  // The reference: the whole stream at once. With the real limit (4 MiB) for 1 input in 16; the
  // others use 64 KiB, since a few bytes of zstd can declare 4 MiB and expanding that on every
  // run made zstd a third of the time (the limit is only a number to the reader's logic).
  const std::uint32_t top = seed % 16 == 3 ? sync::kMaxFrameBytes : kMid;
  ReadOutcome whole = read_stream(stream, top, 0, seed);
  if (!whole.failed && whole.buffered > stream.size()) violated("frame: buffers more than it was fed");
  for (const auto& p : whole.payloads)
    if (p.size() > top) violated("frame: a payload beyond the limit, " + std::to_string(p.size()));

  // A lower limit may only end the read early, with an error. The passes that repeat the work
  // use 64 KiB so that an input whose zstd frames expand to megabytes costs one expansion, not five.
  ReadOutcome mid = top == kMid ? whole : read_stream(stream, kMid, 0, seed);
  agrees_below_limit(whole, mid, kMid, "whole under 64 KiB");
  ReadOutcome small = read_stream(stream, kSmall, 0, seed);
  agrees_below_limit(whole, small, kSmall, "whole under 300 bytes");

  // However the bytes arrive (TCP may split anywhere), the reader must see the same frames.
  same_outcome(mid, read_stream(stream, kMid, 1, seed), "byte by byte");
  same_outcome(small, read_stream(stream, kSmall, 17, seed), "in chunks of 1..17");

  // Every payload goes back out and reads back unchanged: plain, and one of them (picked by the
  // seed) compressed too. ZSTD_compress sets up a context on every call (about 10 us and a
  // megabyte of allocation), which for every payload of every run was a third of the time.
  const std::size_t zstd_one = whole.payloads.empty() ? 0 : seed % whole.payloads.size();
  for (std::size_t i = 0; i < whole.payloads.size(); ++i) {
    const std::string& p = whole.payloads[i];
    if (p.size() > kMid) continue;
    const bool compress = i == zstd_one;
    std::string again = sync::make_frame(p, false) + (compress ? sync::make_frame(p, true) : std::string());
    ReadOutcome back = read_stream(again, kMid + 1, 0, seed);
    if (back.failed) violated("frame: make_frame output refused: " + back.error + "; payload " + hex(p));
    if (back.payloads.size() != (compress ? 2u : 1u) || back.payloads[0] != p || back.payloads.back() != p ||
        back.buffered != 0)
      violated("frame: make_frame output does not read back; payload " + hex(p));
  }

  // Now and then (1 input in 32: the seed is odd), a clean stream repeated past 1 MiB and fed in
  // 4 KiB pieces: the reader compacts its buffer there, and must still yield the same payloads.
  std::size_t out_bytes = 0;
  for (const auto& p : whole.payloads) out_bytes += p.size();
  const std::size_t copies = size ? (std::size_t{1} << 20) / size + 2 : 0;
  if (!whole.failed && whole.buffered == 0 && !whole.payloads.empty() && seed % 64 == 1 &&
      copies * out_bytes <= (std::size_t{16} << 20)) {
    sync::FrameReader r;
    std::size_t got = 0;
    std::string chunk;
    for (std::size_t i = 0; i < copies; ++i) {
      chunk.append(stream);
      if (chunk.size() < 4096 && i + 1 < copies) continue;
      r.feed(chunk);
      chunk.clear();
      for (;;) {
        auto next = r.next();
        if (!next.ok()) violated("frame: a repeated clean stream fails: " + next.status().message());
        if (!next.value()) break;
        if (*next.value() != whole.payloads[got % whole.payloads.size()])
          violated("frame: a repeated clean stream changes payload " + std::to_string(got));
        ++got;
      }
    }
    if (got != copies * whole.payloads.size() || r.buffered() != 0)
      violated("frame: a repeated clean stream yields " + std::to_string(got) + " payloads, not " +
               std::to_string(copies * whole.payloads.size()));
  }
}

// ---- (b) messages ----

void message_decoder(const std::uint8_t* data, std::size_t size) {
  std::string_view payload(reinterpret_cast<const char*>(data), size);
  auto first = sync::decode_message(payload);
  // The bulk path (push, changes) must agree with the general decoder, value for value and
  // refusal for refusal.
  auto general = sync::decode_message_generally(payload);
  if (first.ok() != general.ok())
    violated(std::string("codec: the bulk path ") + (first.ok() ? "accepts" : "refuses") + " what the general decoder " +
             (general.ok() ? "accepts" : "refuses") + ": input " + hex(payload));
  if (first.ok() && sync::encode_message(first.value()) != sync::encode_message(general.value()))
    violated("codec: the bulk path and the general decoder disagree on input " + hex(payload));
  if (!first.ok() && first.status().message() != general.status().message())
    violated("codec: the bulk path changes the refusal of input " + hex(payload));
  if (!first.ok()) {
    if (first.status().code() != Status::Code::kInvalidInput)
      violated("codec: a refusal that is not InvalidInput: " + first.status().message());
    if (first.status().message().rfind("bad message", 0) != 0)
      violated("codec: a refusal that does not start with 'bad message': " + first.status().message());
    return;
  }
  const sync::Message& m1 = first.value();
  std::string name = sync::message_name(m1);
  std::string e1 = sync::encode_message(m1);
  auto second = sync::decode_message(e1);
  if (!second.ok())
    violated("codec: decode accepted a " + name + " whose re-encoding it refuses (" + second.status().message() +
             "); input " + hex(payload) + ", re-encoded " + hex(e1));
  const sync::Message& m2 = second.value();
  if (m2.index() != m1.index())
    violated("codec: a " + name + " re-decodes as a " + sync::message_name(m2));
  // encode_message writes every field, strings length-prefixed and numbers exactly (doubles by
  // their bits), so equal encodings mean equal messages, NaN included.
  std::string e2 = sync::encode_message(m2);
  if (e2 != e1) violated("codec: a " + name + " changes in a round trip: " + hex(e1) + " then " + hex(e2));
  // The agent's bulk encoder writes a push from log views: the same bytes as encode_message.
  if (auto* push = std::get_if<sync::Push>(&m1)) {
    sync::PushBatch batch;
    for (const auto& c : push->changes)
      if (!batch.add(view_of(c), SIZE_MAX)) violated("codec: a push batch without a limit refused a change");
    if (batch.message(push->batch) != e1)
      violated("codec: a push built from views differs from encode_message: " + hex(batch.message(push->batch)) +
               " against " + hex(e1));
  }
}

// ---- (c) CSV ----

namespace {

// read_sheet on any bytes: a refusal is "line N: …"; an accepted sheet, written back as UTF-8 with
// its separator, reads back to the same header and rows.
void csv_sheet(std::string_view bytes) {
  auto sheet = read_sheet(bytes);
  if (!sheet.ok()) {
    const std::string& msg = sheet.status().message();
    if (sheet.status().code() != Status::Code::kInvalidInput || msg.rfind("line ", 0) != 0)
      violated("csv sheet: a refusal that is not 'line N: ...': " + msg);
    return;
  }
  // A header of spaces alone is trimmed to nothing, and a blank line is no record.
  if (sheet->header.fields == std::vector<std::string>{""}) return;
  std::string again = "\xEF\xBB\xBF" + csv_line(sheet->header.fields, sheet->separator);
  for (const auto& row : sheet->rows) again += csv_line(row.fields, sheet->separator);
  auto back = read_sheet(again, CsvEncoding::kUtf8);
  if (!back.ok()) violated("csv sheet: its own rows refused: " + back.status().message());
  if (back->rows.size() != sheet->rows.size()) violated("csv sheet: rows lost in a round trip");
}

}  // namespace

void csv_parser(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  csv_sheet(text);
  auto parsed = parse_csv(text);
  if (!parsed.ok()) {
    const std::string& msg = parsed.status().message();
    if (parsed.status().code() != Status::Code::kInvalidInput || msg.rfind("line ", 0) != 0)
      violated("csv: a refusal that is not 'line N: ...': " + msg);
    return;
  }
  const auto& records = parsed.value();
  int newlines = 0;
  for (char c : text) newlines += c == '\n';
  int last_line = 1;
  for (const auto& rec : records) {
    if (rec.line < last_line || rec.line > newlines + 1)
      violated("csv: record line " + std::to_string(rec.line) + " out of order or past the end");
    last_line = rec.line;
    if (rec.fields.empty()) violated("csv: a record without fields");
    if (rec.fields.size() == 1 && rec.fields[0].empty()) violated("csv: a blank line came back as a record");
  }
  // Written back the way export writes (csv_line per record; a BOM first, as Excel does, so a
  // first field that itself starts with U+FEFF survives), it must parse to the same fields.
  std::string again = "\xEF\xBB\xBF";
  for (const auto& rec : records) again += csv_line(rec.fields);
  auto reparsed = parse_csv(again);
  if (!reparsed.ok()) violated("csv: csv_line output refused: " + reparsed.status().message());
  const auto& back = reparsed.value();
  if (back.size() != records.size())
    violated("csv: " + std::to_string(records.size()) + " records written, " + std::to_string(back.size()) + " read back");
  for (std::size_t i = 0; i < back.size(); ++i)
    if (back[i].fields != records[i].fields) violated("csv: record " + std::to_string(i) + " changes in a round trip");
}

// ---- (d) configuration files ----

namespace {

const std::string& config_path() {
  static const std::string path = [] {
    std::string dir = "/dev/shm";  // tmpfs: a write per execution costs little there
    if (access(dir.c_str(), W_OK) != 0) {
      const char* t = std::getenv("TMPDIR");
      dir = t && *t ? t : "/tmp";
    }
    std::string p = dir + "/epsync-fuzz-config-" + std::to_string(getpid()) + ".toml";
    static std::string to_remove = p;
    std::atexit([] { std::remove(to_remove.c_str()); });
    return p;
  }();
  return path;
}

void config_refusal(const Status& s, const std::string& path, const char* which) {
  if (s.code() != Status::Code::kInvalidInput)
    violated(std::string(which) + ": an existing file refused as other than InvalidInput: " + s.message());
  if (s.message().rfind(path + ":", 0) != 0)
    violated(std::string(which) + ": an error that does not name the file first: " + s.message());
}

}  // namespace

void config_parsers(const std::uint8_t* data, std::size_t size) {
  const std::string& path = config_path();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error("cannot write " + path);
  bool written = std::fwrite(data, 1, size, f) == size;
  if (std::fclose(f) != 0 || !written) throw std::runtime_error("cannot write " + path);

  auto agent = load_agent_config(path);
  if (agent.ok()) {
    const AgentConfig& c = agent.value();
    if (c.center_id.empty() || c.store_path.empty()) violated("agent config: accepted without a required key");
    if (c.sync_interval_seconds < 1 || c.sync_interval_seconds > 86400)
      violated("agent config: sync.interval_seconds out of bounds: " + std::to_string(c.sync_interval_seconds));
    if (c.sync_timeout_seconds < 1 || c.sync_timeout_seconds > 3600)
      violated("agent config: sync.timeout_seconds out of bounds: " + std::to_string(c.sync_timeout_seconds));
  } else {
    config_refusal(agent.status(), path, "agent config");
  }

  auto hub = hub::load_hub_config(path);
  if (hub.ok()) {
    const hub::HubConfig& c = hub.value();
    if (c.ca.empty() || c.cert.empty() || c.key.empty() || c.store_path.empty())
      violated("hub config: accepted without a required key");
    if (c.listen_address.empty() || c.http_address.empty()) violated("hub config: an empty address");
    if (c.skew_bound_seconds < 1 || c.skew_bound_seconds > 86400 || c.handshake_timeout_seconds < 1 ||
        c.handshake_timeout_seconds > 600 || c.idle_timeout_seconds < 1 || c.idle_timeout_seconds > 3600)
      violated("hub config: a number out of bounds");
  } else {
    config_refusal(hub.status(), path, "hub config");
  }
}

const std::vector<Target>& targets() {
  static const std::vector<Target> all = {
      {"frame", frame_reader}, {"codec", message_decoder}, {"csv", csv_parser}, {"config", config_parsers}};
  return all;
}

}  // namespace epsync::fuzz
