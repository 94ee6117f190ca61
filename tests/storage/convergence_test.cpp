// Property test of SPEC §4: random writes at three sites, change batches exchanged in random
// order with duplication and truncation; once everything has been delivered at least once, every
// site holds the same state (canonical dump) and the same change log.
#include <doctest/doctest.h>

#include <cstdlib>
#include <deque>
#include <random>

#include "storage/dump.h"
#include "storage/merge.h"
#include "support/stores.h"
#include "support/temp_dir.h"
#include "records/model.h"

using namespace epsync;

namespace {

constexpr int kSites = 3;

struct Site {
  test::FakeClock clock;
  std::unique_ptr<Store> store;
  std::string center;
  int next_id = 0;
};

struct Message {
  int to;
  std::vector<RowChange> changes;
};

template <class T>
const T& pick(std::mt19937_64& rng, const std::vector<T>& v) {
  return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
}

std::vector<std::string> ids_in(Store& s, const std::string& table) {
  // Only rows whose owner has arrived: a site edits rows it knows, not fragments of them.
  auto st = s.db().prepare("SELECT id FROM " + table + " WHERE center_id IS NOT NULL ORDER BY id");
  std::vector<std::string> out;
  while (st->step().value()) out.push_back(st->column_text(0));
  return out;
}

const std::vector<std::string> kSurnames = {"Ахметов", "Сәрсенбай", "Қасымова", "Ёлкина", "Nurlanov", "Өмірзақ"};
const std::vector<std::string> kResults = {"fit", "unfit", "pending"};
const std::vector<std::string> kStatuses = {"missing", "submitted", "verified", "rejected"};
const std::vector<std::string> kDocKinds = {"passport", "criminal-record", "immigration-record"};

Status random_write(Site& site, std::mt19937_64& rng) {
  Store& s = *site.store;
  WriteTxn w(s);
  EPSYNC_RETURN_IF_ERROR(w.begin());
  int ops = std::uniform_int_distribution<int>(1, 3)(rng);
  for (int i = 0; i < ops; ++i) {
    auto trainees = ids_in(s, "trainee");
    int dice = std::uniform_int_distribution<int>(0, 99)(rng);
    if (trainees.empty() || dice < 25) {
      std::string tid = site.center + "-t" + std::to_string(site.next_id++);
      EPSYNC_RETURN_IF_ERROR(w.insert("trainee", tid, site.center,
                                      {{"surname", pick(rng, kSurnames)},
                                       {"status", std::string("active")},
                                       {"birth_date", std::string("1998-03-0") + std::to_string(rng() % 9 + 1)}}));
    } else if (dice < 55) {
      Columns cols;
      if (rng() % 2) cols.emplace_back("surname", pick(rng, kSurnames));
      if (rng() % 2) cols.emplace_back("phone", std::string("+7 70") + std::to_string(rng() % 10));
      if (rng() % 4 == 0) cols.emplace_back("deleted", std::int64_t{0});
      EPSYNC_RETURN_IF_ERROR(w.update("trainee", pick(rng, trainees), cols));
    } else if (dice < 62) {
      EPSYNC_RETURN_IF_ERROR(w.remove("trainee", pick(rng, trainees)));
    } else if (dice < 80) {
      const std::string& tid = pick(rng, trainees);
      std::string rid = site.center + "-r" + std::to_string(site.next_id++);
      switch (rng() % 3) {
        case 0:
          EPSYNC_RETURN_IF_ERROR(w.insert("medical_check", rid, site.center,
                                          {{"trainee_id", tid}, {"result", pick(rng, kResults)}}));
          break;
        case 1:
          EPSYNC_RETURN_IF_ERROR(w.insert("test_result", rid, site.center,
                                          {{"trainee_id", tid}, {"kind", std::string("eps-topik")},
                                           {"score", static_cast<std::int64_t>(rng() % 201)}}));
          break;
        default:
          EPSYNC_RETURN_IF_ERROR(w.insert("document_check", rid, site.center,
                                          {{"trainee_id", tid}, {"kind", pick(rng, kDocKinds)},
                                           {"status", pick(rng, kStatuses)}}));
      }
    } else {
      // Edit a safety-relevant column of a check some site created: the conflict-prone case.
      auto meds = ids_in(s, "medical_check");
      auto docs = ids_in(s, "document_check");
      auto tests = ids_in(s, "test_result");
      if (!meds.empty() && rng() % 3 == 0)
        EPSYNC_RETURN_IF_ERROR(w.update("medical_check", pick(rng, meds), {{"result", pick(rng, kResults)}}));
      else if (!docs.empty() && rng() % 2 == 0)
        EPSYNC_RETURN_IF_ERROR(w.update("document_check", pick(rng, docs), {{"status", pick(rng, kStatuses)}}));
      else if (!tests.empty())
        EPSYNC_RETURN_IF_ERROR(w.update("test_result", pick(rng, tests),
                                        {{"score", static_cast<std::int64_t>(rng() % 201)}}));
    }
  }
  return w.commit();
}

void run_seed(std::uint64_t seed, int steps) {
  CAPTURE(seed);
  std::mt19937_64 rng(seed);
  test::TempDir dir;
  std::vector<Site> sites(kSites);
  for (int i = 0; i < kSites; ++i) {
    // Clocks that disagree by up to two seconds and drift independently.
    sites[i].clock.advance(std::uniform_int_distribution<int>(-2000, 2000)(rng));
    StoreOptions o = eps_store_options();
    o.create = true;
    o.clock = sites[i].clock.fn();
    o.operator_name = "op" + std::to_string(i);
    o.durable = false;
    auto s = Store::open(dir.file("site" + std::to_string(i) + ".db"), o);
    REQUIRE(s.ok());
    sites[i].store = std::move(s).value();
    sites[i].center = i == 0 ? "HUB" : "C" + std::to_string(i);
  }
  std::int64_t cursor[kSites][kSites] = {};  // cursor[to][from]: how far `to` has been sent
  std::deque<Message> in_flight;

  for (int step = 0; step < steps; ++step) {
    int dice = std::uniform_int_distribution<int>(0, 99)(rng);
    Site& site = sites[rng() % kSites];
    site.clock.advance(std::uniform_int_distribution<int>(-50, 400)(rng));
    if (dice < 45) {
      Status st = random_write(site, rng);
      REQUIRE_MESSAGE(st.ok(), st.message());
    } else if (dice < 75) {
      // Send a batch from one site to another; it may be truncated in transit.
      int from = static_cast<int>(rng() % kSites);
      int to = static_cast<int>((from + 1 + rng() % (kSites - 1)) % kSites);
      ChangeQuery q;
      q.after_seq = cursor[to][from];
      q.limit = 1 + rng() % 40;
      auto batch = read_changes(*sites[from].store, q);
      REQUIRE(batch.ok());
      if (batch->empty()) continue;
      cursor[to][from] = batch->back().seq;
      if (rng() % 5 == 0) batch->resize(rng() % batch->size());  // truncated: the tail is lost
      Message m{to, std::move(batch).value()};
      if (rng() % 4 == 0) in_flight.push_back(m);  // duplicated
      in_flight.push_back(std::move(m));
    } else if (dice < 95 && !in_flight.empty()) {
      // Deliver any in-flight batch: arrival order is random.
      size_t k = rng() % in_flight.size();
      Message m = std::move(in_flight[k]);
      in_flight.erase(in_flight.begin() + static_cast<long>(k));
      auto r = merge_batch(*sites[m.to].store, m.changes);
      REQUIRE_MESSAGE(r.ok(), r.status().message());
    } else {
      // A lost acknowledgement: the sender resumes from an earlier point and re-sends.
      int to = static_cast<int>(rng() % kSites), from = static_cast<int>(rng() % kSites);
      cursor[to][from] = cursor[to][from] / 2;
    }
  }
  // Quiescence: whatever was still in flight arrives, then every site sends its whole log to
  // every other site until nothing new is learnt.
  for (auto& m : in_flight) REQUIRE(merge_batch(*sites[m.to].store, m.changes).ok());
  for (int round = 0; round < 3; ++round) {
    for (int to = 0; to < kSites; ++to)
      for (int from = 0; from < kSites; ++from) {
        if (to == from) continue;
        ChangeQuery q;
        q.limit = 1'000'000;
        auto all = read_changes(*sites[from].store, q);
        REQUIRE(merge_batch(*sites[to].store, all.value()).ok());
      }
  }
  std::string want = canonical_dump(*sites[0].store).value();
  std::int64_t log_size = test::count_rows(*sites[0].store, "change_log");
  CHECK(log_size > 0);
  for (int i = 1; i < kSites; ++i) {
    CAPTURE(i);
    CHECK(canonical_dump(*sites[i].store).value() == want);
    CHECK(test::count_rows(*sites[i].store, "change_log") == log_size);
  }
}

int seeds_from_env(int fallback) {
  const char* v = std::getenv("EPSYNC_CONVERGENCE_SEEDS");
  return v ? std::atoi(v) : fallback;
}

}  // namespace

TEST_CASE("convergence: 3 sites, random order, duplication and truncation, 200 seeds") {
  const int seeds = seeds_from_env(200);
  const std::uint64_t base = std::getenv("EPSYNC_SEED") ? std::strtoull(std::getenv("EPSYNC_SEED"), nullptr, 10) : 1;
  for (int i = 0; i < seeds; ++i) run_seed(base + static_cast<std::uint64_t>(i), 120);
}
