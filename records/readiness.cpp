#include "records/readiness.h"

#include <algorithm>
#include <tuple>
#include <unordered_map>

#include "records/vocabulary.h"
#include "util/i18n.h"

namespace epsync {

namespace {

std::optional<int> parse_int(const std::string& s) {
  if (s.empty() || s.size() > 6) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

int* rule_slot(ReadinessRules& r, const std::string& name) {
  if (name == "min_age") return &r.min_age;
  if (name == "max_age") return &r.max_age;
  if (name == "eps_topik_pass_mark") return &r.eps_topik_pass_mark;
  if (name == "topik_pass_mark") return &r.topik_pass_mark;
  if (name == "test_validity_months") return &r.test_validity_months;
  if (name == "passport_min_months") return &r.passport_min_months;
  return nullptr;
}

void check_age(const TraineeFacts& f, const ReadinessRules& r, const Date& as_of, Readiness& out) {
  auto birth = parse_date(f.trainee.birth_date);
  if (!birth) {
    out.blockers.push_back({"age", tr("birth date is not recorded")});
    return;
  }
  int age = age_on(*birth, as_of);
  if (age < r.min_age || age > r.max_age)
    out.blockers.push_back({"age", trf("age {} on {} is outside {} to {}", age, display_date(as_of), r.min_age, r.max_age)});
}

const char* test_name(const std::string& kind) { return kind == "eps-topik" ? "EPS-TOPIK" : "TOPIK"; }

void check_language(const TraineeFacts& f, const ReadinessRules& r, const Date& as_of, Readiness& out) {
  std::optional<TestRecord> best_failed, newest_expired;
  for (const auto& t : f.tests) {
    if (t.kind != "eps-topik" && t.kind != "topik") continue;
    auto d = parse_date(t.date);
    if (!d || *d > as_of) continue;  // not yet taken on the reference date
    int mark = t.kind == "eps-topik" ? r.eps_topik_pass_mark : r.topik_pass_mark;
    if (t.score < mark) {
      if (!best_failed || t.score > best_failed->score) best_failed = t;
      continue;
    }
    if (add_months(*d, r.test_validity_months) < as_of) {
      if (!newest_expired || t.date > newest_expired->date) newest_expired = t;
      continue;
    }
    return;  // a valid pass
  }
  std::string text;
  if (newest_expired) {
    const int months = r.test_validity_months;
    text = trn("{} passed on {} is older than {} month", "{} passed on {} is older than {} months", months,
               test_name(newest_expired->kind), display_date(newest_expired->date), months);
  } else if (best_failed) {
    int mark = best_failed->kind == "eps-topik" ? r.eps_topik_pass_mark : r.topik_pass_mark;
    text = trf("{} score {} is below the pass mark {}", test_name(best_failed->kind), best_failed->score, mark);
  } else {
    text = tr("no EPS-TOPIK or TOPIK result recorded");
  }
  out.blockers.push_back({"language-test", text});
}

void check_medical(const TraineeFacts& f, const Date& as_of, Readiness& out) {
  const MedicalRecord* latest = nullptr;
  for (const auto& m : f.medicals) {
    auto d = parse_date(m.date);
    if (!d || *d > as_of) continue;
    if (!latest || std::tie(m.date, m.id) > std::tie(latest->date, latest->id)) latest = &m;
  }
  if (!latest) {
    out.blockers.push_back({"medical", tr("no medical examination recorded")});
    return;
  }
  const std::string examined = display_date(latest->date);
  if (latest->result != "fit") {
    out.blockers.push_back(
        {"medical", latest->result.empty()
                        ? trf("latest medical examination ({}) is without a result", examined)
                        : trf("latest medical examination ({}) is {}", examined,
                              display_word(Enum::kMedicalResult, latest->result))});
    return;
  }
  auto until = parse_date(latest->valid_until);
  if (!until) {
    out.blockers.push_back({"medical", trf("medical examination of {} has no validity date", examined)});
  } else if (*until < as_of) {
    out.blockers.push_back({"medical", trf("medical examination expired on {}", display_date(*until))});
  }
}

// What is said of a document readiness needs, as whole sentences for the catalogue.
struct DocumentTexts {
  const char* kind;
  const char* unverified;  // {}: the status, as text output shows it
  const char* without_status;
  const char* not_recorded;
};

const DocumentTexts& document_texts(const std::string& kind) {
  static const DocumentTexts kTexts[] = {
      {"passport", N_("passport is {}, not verified"), N_("passport is without a status, not verified"),
       N_("passport is not recorded")},
      {"criminal-record", N_("criminal-record certificate is {}, not verified"),
       N_("criminal-record certificate is without a status, not verified"), N_("criminal-record certificate is not recorded")},
      {"immigration-record", N_("immigration-record certificate is {}, not verified"),
       N_("immigration-record certificate is without a status, not verified"),
       N_("immigration-record certificate is not recorded")},
  };
  for (const auto& t : kTexts)
    if (kind == t.kind) return t;
  return kTexts[2];
}

void check_document(const TraineeFacts& f, const std::string& kind, const ReadinessRules& r,
                    const Date& as_of, Readiness& out) {
  const DocumentRecord* seen = nullptr;
  for (const auto& d : f.documents) {
    if (d.kind != kind) continue;
    if (d.status != "verified") {
      if (!seen) seen = &d;
      continue;
    }
    if (kind != "passport") return;
    auto expires = parse_date(d.expires);
    Date needed = add_months(as_of, r.passport_min_months);
    if (expires && *expires >= needed) return;
    const int months = r.passport_min_months;
    out.blockers.push_back(
        {kind, expires ? trn("passport expires on {}, within {} month of {}", "passport expires on {}, within {} months of {}",
                             months, display_date(*expires), months, display_date(as_of))
                       : tr("passport expiry date is not recorded")});
    return;
  }
  const DocumentTexts& texts = document_texts(kind);
  std::string text = !seen                  ? tr(texts.not_recorded)
                     : seen->status.empty() ? tr(texts.without_status)
                                            : trf(texts.unverified, display_word(Enum::kDocumentStatus, seen->status));
  out.blockers.push_back({kind, text});
}

}  // namespace

Status validate_rule(const std::string& name, const std::string& value) {
  ReadinessRules r;
  if (!rule_slot(r, name)) return Status::InvalidInput("rule: " + trf("unknown rule '{}'", name));
  auto v = parse_int(value);
  if (!v) return Status::InvalidInput(name + ": " + trf("must be a whole number, got '{}'", value));
  if ((name == "eps_topik_pass_mark" || name == "topik_pass_mark") && *v > 300)
    return Status::InvalidInput(name + ": " + trf("a pass mark above {} cannot be reached", 300));
  if ((name == "min_age" || name == "max_age") && (*v < 14 || *v > 100))
    return Status::InvalidInput(name + ": " + trf("must be between {} and {}", 14, 100));
  return Status::Ok();
}

Result<ReadinessRules> load_rules(Store& store) {
  ReadinessRules rules;
  auto st = store.db().prepare("SELECT id, value FROM rules WHERE deleted = 0");
  if (!st.ok()) return st.status();
  for (;;) {
    auto r = st->step();
    if (!r.ok()) return r.status();
    if (!r.value()) break;
    std::string name = st->column_text(0), value = st->column_text(1);
    int* slot = rule_slot(rules, name);
    if (!slot) continue;  // a rule a newer hub knows; this build does not apply it
    auto v = parse_int(value);
    if (!v) return Status::Corrupt("rules: " + trf("{} has the non-numeric value '{}'", name, value));
    *slot = *v;
  }
  return rules;
}

Readiness assess(const TraineeFacts& f, const ReadinessRules& r, const Date& as_of) {
  Readiness out;
  check_age(f, r, as_of, out);
  check_language(f, r, as_of, out);
  check_medical(f, as_of, out);
  check_document(f, "passport", r, as_of, out);
  check_document(f, "criminal-record", r, as_of, out);
  check_document(f, "immigration-record", r, as_of, out);
  if (f.trainee.status != "active")
    out.blockers.push_back({"status", f.trainee.status.empty()
                                          ? tr("status is not recorded")
                                          : trf("status is {}", display_word(Enum::kTraineeStatus, f.trainee.status))});
  out.ready = out.blockers.empty();
  return out;
}

namespace {

// Reads the facts of every live trainee (of one centre when given) in a few bulk queries, not one
// per trainee. Each table is read once in storage order (sequential pages), and checks find their
// trainee through an index of views into the trainees' own ids: no sorting in SQLite. With
// `whole`, the trainees' full rows too (in the same order), for lists that show names.
Result<std::vector<TraineeFacts>> load_facts(Store& store, const std::optional<std::string>& center,
                                             std::vector<Trainee>* whole) {
  Db& db = store.db();
  const std::string only_centre = center ? " AND center_id = ?1" : "";
  std::vector<TraineeFacts> facts;
  {
    auto count = db.prepare("SELECT count(*) FROM trainee");  // a reserve, not a promise
    if (!count.ok()) return count.status();
    auto r = count->step();
    if (!r.ok()) return r.status();
    facts.reserve(static_cast<size_t>(count->column_int(0)));
    if (whole) whole->reserve(facts.capacity());
  }
  {
    const std::string columns = whole ? kTraineeColumns : "id, center_id, birth_date, sector, status";
    auto st = db.prepare("SELECT " + columns + " FROM trainee WHERE deleted = 0" + only_centre);
    if (!st.ok()) return st.status();
    if (center) st->bind(1, *center);
    for (;;) {
      auto r = st->step();
      if (!r.ok()) return r.status();
      if (!r.value()) break;
      TraineeBasics& t = facts.emplace_back().trainee;
      if (whole) {
        const Trainee& full = whole->emplace_back(trainee_from_row(st.value()));
        t = {full.id, full.center_id, full.birth_date, full.sector, full.status};
        continue;
      }
      t = {st->column_text(0), st->column_text(1), st->column_text(2), st->column_text(3), st->column_text(4)};
    }
  }
  std::unordered_map<std::string_view, size_t> by_id;
  by_id.reserve(facts.size() * 2);
  for (size_t i = 0; i < facts.size(); ++i) by_id.emplace(facts[i].trainee.id, i);
  // A check counts for a trainee only when the trainee's own centre recorded it: a record another
  // centre attached to a trainee id it learnt somehow changes nothing (docs/SECURITY.md).
  auto each = [&](const std::string& columns, const char* table, auto&& fn) -> Status {
    auto st = db.prepare("SELECT trainee_id, " + columns + ", center_id FROM " + table + " WHERE deleted = 0" + only_centre);
    if (!st.ok()) return st.status();
    if (center) st->bind(1, *center);
    const int owner = st->column_count() - 1;
    for (;;) {
      auto r = st->step();
      if (!r.ok()) return r.status();
      if (!r.value()) return Status::Ok();
      auto it = by_id.find(st->column_view(0));
      if (it != by_id.end() && facts[it->second].trainee.center_id == st->column_view(owner)) fn(facts[it->second], st.value());
    }
  };
  EPSYNC_RETURN_IF_ERROR(each("kind, test_date, score", "test_result", [](TraineeFacts& f, const Stmt& s) {
    f.tests.push_back({s.column_text(1), s.column_text(2), s.column_int(3)});
  }));
  EPSYNC_RETURN_IF_ERROR(each("id, check_date, result, valid_until", "medical_check", [](TraineeFacts& f, const Stmt& s) {
    f.medicals.push_back({s.column_text(1), s.column_text(2), s.column_text(3), s.column_text(4)});
  }));
  EPSYNC_RETURN_IF_ERROR(each("kind, status, expires", "document_check", [](TraineeFacts& f, const Stmt& s) {
    if (f.documents.empty()) f.documents.reserve(3);  // passport, criminal and immigration record
    f.documents.push_back({s.column_text(1), s.column_text(2), s.column_text(3)});
  }));
  return facts;
}

}  // namespace

Result<std::vector<TraineeReadiness>> assess_store(Store& store, const Date& as_of,
                                                   const std::optional<std::string>& center, bool display_order) {
  auto rules = load_rules(store);
  if (!rules.ok()) return rules.status();
  std::vector<Trainee> trainees;
  auto facts = load_facts(store, center, &trainees);
  if (!facts.ok()) return facts.status();
  std::vector<TraineeReadiness> out;
  out.reserve(trainees.size());
  for (size_t i = 0; i < trainees.size(); ++i)
    out.push_back({std::move(trainees[i]), assess(facts.value()[i], rules.value(), as_of)});
  // The order people read lists in (list_trainees' order).
  if (display_order)
    std::sort(out.begin(), out.end(), [](const TraineeReadiness& a, const TraineeReadiness& b) {
      return std::tie(a.trainee.surname, a.trainee.given_name, a.trainee.id) <
             std::tie(b.trainee.surname, b.trainee.given_name, b.trainee.id);
    });
  return out;
}

Status for_each_readiness(Store& store, const Date& as_of,
                          const std::function<void(const TraineeBasics&, const Readiness&)>& fn) {
  // Reports count blockers by kind and never show their texts: made in English, the cheapest.
  ScopedLang english(Lang::kEn);
  auto rules = load_rules(store);
  if (!rules.ok()) return rules.status();
  // The scan reads each page once: keeping them in the page cache (128 MiB for a big merge) would
  // only cost memory and page faults, about a third of the time of a large report.
  auto cache = store.db().prepare("PRAGMA cache_size");
  if (!cache.ok()) return cache.status();
  auto has = cache->step();
  if (!has.ok()) return has.status();
  const std::int64_t cache_size = has.value() ? cache->column_int(0) : -2000;
  EPSYNC_RETURN_IF_ERROR(store.db().exec("PRAGMA cache_size = -4096"));
  auto facts = load_facts(store, std::nullopt, nullptr);
  EPSYNC_RETURN_IF_ERROR(store.db().exec("PRAGMA cache_size = " + std::to_string(cache_size)));
  if (!facts.ok()) return facts.status();
  for (const auto& f : facts.value()) fn(f.trainee, assess(f, rules.value(), as_of));
  return Status::Ok();
}

}  // namespace epsync
