// Centres and a hub on real store files, talking through the real session state machines with
// the bytes passed in memory (no sockets): the protocol and the store logic, tested alone.
#pragma once

#include <doctest/doctest.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "agent/agent_sync.h"
#include "hub/hub_store.h"
#include "hub/session_handler.h"
#include "records/date.h"
#include "storage/dump.h"
#include "records/iin.h"
#include "records/records.h"
#include "support/fake_clock.h"
#include "support/temp_dir.h"
#include "records/model.h"

namespace epsync::test {

struct SyncWorld {
  TempDir dir;
  FakeClock clock;
  std::unique_ptr<hub::HubStore> hub;
  std::map<std::string, std::unique_ptr<Store>> centres;
  int next_iin = 0;
  std::int64_t max_batch_bytes = 1 << 20;  // the hub's, for open_hub()

  SyncWorld() { open_hub(); }

  void open_hub() {
    hub::HubOptions o;
    o.clock = clock.fn();
    o.max_batch_bytes = max_batch_bytes;
    auto h = hub::HubStore::open(dir.file("hub.db"), o);
    REQUIRE_MESSAGE(h.ok(), h.status().message());
    hub = std::move(h).value();
  }

  Store& centre(const std::string& id, const std::string& region = "almaty", PhysicalClock c = {}) {
    auto& s = centres[id];
    if (!s) {
      StoreOptions o = eps_store_options();
      o.create = true;
      o.clock = c ? c : clock.fn();
      o.operator_name = "registrar-" + id;
      auto st = Store::open(dir.file(id + ".db"), o);
      REQUIRE(st.ok());
      s = std::move(st).value();
      REQUIRE(s->set_meta("center_id", id).ok());
      REQUIRE(hub->add_center(id, region, "Centre " + id).ok());
    }
    return *s;
  }

  // Enrols a trainee at a centre through the same code the CLI uses; returns the id.
  std::string enrol(const std::string& centre_id, const std::string& surname) {
    Store& s = centre(centre_id);
    WriteTxn w(s);
    REQUIRE(w.begin().ok());
    Records r(w, centre_id, Date{2026, 11, 22});
    TraineeFields f;
    Date birth = add_days(Date{1995, 1, 1}, next_iin * 3);
    f.iin = make_iin(birth, 'F', next_iin++);
    f.surname = surname;
    f.given_name = "Әлия";
    f.birth_date = format_date(birth);
    f.sex = "F";
    auto id = r.add_trainee(f, FieldStyle::kFlag);
    REQUIRE_MESSAGE(id.ok(), id.status().message());
    REQUIRE(w.commit().ok());
    return id.value();
  }

  // One sync session in memory. `cut_after_frames` >= 0 drops the connection after that many
  // frames have crossed (either way), as a broken link would.
  Status sync(const std::string& centre_id, const std::string& cert_cn = "", int cut_after_frames = -1,
              std::function<void(sync::ClientConfig&)> tweak = {},
              std::function<void(const sync::Welcome&)> on_welcome = {}) {
    Store& s = centre(centre_id);
    AgentSync agent(s, {centre_id, "test"});
    auto cfg = agent.config();
    REQUIRE(cfg.ok());
    if (tweak) tweak(cfg.value());
    sync::ClientSession client(cfg.value());
    sync::ServerSession server({.cert_center = cert_cn.empty() ? centre_id : cert_cn, .schema_max = latest_schema_version()});
    hub::InlineExecutor store(*hub);
    hub::SessionHandler handler(server, store, {"", 0, clock.fn()});
    client.start();
    int frames = 0;
    auto deliver = [&](std::string bytes, auto&& into) {
      // Split into frames so a cut can land on any message boundary.
      size_t pos = 0;
      while (pos < bytes.size()) {
        std::uint32_t n = static_cast<std::uint8_t>(bytes[pos]) << 24 | static_cast<std::uint8_t>(bytes[pos + 1]) << 16 |
                          static_cast<std::uint8_t>(bytes[pos + 2]) << 8 | static_cast<std::uint8_t>(bytes[pos + 3]);
        if (cut_after_frames >= 0 && frames >= cut_after_frames) return false;
        into.receive(std::string_view(bytes).substr(pos, 4 + n));
        pos += 4 + n;
        ++frames;
      }
      return true;
    };
    for (int round = 0; round < 100000 && !agent.finished(); ++round) {
      if (!deliver(client.take_output(), server)) break;
      handler.dispatch();
      if (!deliver(server.take_output(), client)) break;
      while (auto a = client.next_action()) {
        if (auto* w = std::get_if<sync::client::Welcomed>(&*a); w && on_welcome) on_welcome(w->welcome);
        agent.handle(std::move(*a), client);
      }
      if (server.closed() && client.take_output().empty() && !agent.finished() && server.take_output().empty()) break;
    }
    if (!agent.finished()) {
      agent.record_failure(Status::IoError("connection lost"));
    }
    return agent.result();
  }

  void must_sync(const std::string& centre_id) {
    Status s = sync(centre_id);
    REQUIRE_MESSAGE(s.ok(), std::string(centre_id + ": " + s.message()));
  }

  std::string hub_view(const std::string& centre_id) { return canonical_dump(hub->store(), centre_id).value(); }
  std::string centre_view(const std::string& centre_id) { return canonical_dump(*centres[centre_id], centre_id).value(); }
};

}  // namespace epsync::test
