// The hub's session handler with an executor that holds every reply until the store says
// "durable", as the daemon's WAL syncer does: nothing that acknowledges (welcome, ack, changes)
// leaves before that, and the session still runs to the end.
#include <doctest/doctest.h>

#include "sync_fixture.h"

using namespace epsync;

namespace {

class DurableOnRequest final : public hub::StoreExecutor {
 public:
  explicit DurableOnRequest(hub::HubStore& hub) : hub_(hub) {}
  void run(std::function<void(hub::HubStore&)> work, Durable reply) override {
    work(hub_);
    if (reply) waiting_.push_back([reply] { reply(Status::Ok()); });
  }
  void commit(hub::PushJob job, std::function<void(Result<hub::PushAnswer>)> reply) override {
    std::vector<hub::PushJob> jobs;
    jobs.push_back(std::move(job));
    auto answer = std::make_shared<Result<hub::PushAnswer>>(std::move(hub_.commit(jobs)[0]));
    waiting_.push_back([reply, answer] { reply(std::move(*answer)); });
  }
  // Everything written so far is durable: the replies go out.
  void make_durable() {
    auto due = std::move(waiting_);
    waiting_.clear();
    for (auto& f : due) f();
  }

 private:
  hub::HubStore& hub_;
  std::vector<std::function<void()>> waiting_;
};

}  // namespace

TEST_CASE("session handler: the welcome and each ack wait until the store is durable") {
  test::SyncWorld w;
  w.enrol("ALM-014", "Бекова");
  w.enrol("ALM-014", "Жанова");
  AgentSync agent(w.centre("ALM-014"), {"ALM-014", "test"});
  auto cfg = agent.config();
  REQUIRE(cfg.ok());
  sync::ClientSession client(cfg.value());
  sync::ServerSession server({.cert_center = "ALM-014", .schema_max = latest_schema_version()});
  DurableOnRequest store(*w.hub);
  int answers = 0;
  hub::SessionHandler handler(server, store, {"", 0, w.clock.fn()}, {[&] { ++answers; }, {}});
  auto agent_reads = [&](const std::string& bytes) {
    client.receive(bytes);
    while (auto a = client.next_action()) agent.handle(std::move(*a), client);
  };

  client.start();
  server.receive(client.take_output());
  handler.dispatch();
  CHECK(server.take_output().empty());  // the welcome's mark is not durable yet
  store.make_durable();
  CHECK(answers == 1);
  agent_reads(server.take_output());

  server.receive(client.take_output());  // the heartbeat and the first batch
  handler.dispatch();
  CHECK(server.take_output().empty());  // no ack before the commit is durable
  store.make_durable();
  std::string ack = server.take_output();
  CHECK_FALSE(ack.empty());

  agent_reads(ack);
  for (int round = 0; round < 100 && !agent.finished(); ++round) {
    server.receive(client.take_output());
    handler.dispatch();
    store.make_durable();
    agent_reads(server.take_output());
  }
  REQUIRE(agent.finished());
  CHECK_MESSAGE(agent.result().ok(), agent.result().message());
  CHECK(w.centre_view("ALM-014") == w.hub_view("ALM-014"));
}
