#include "cli/help_examples.h"

#include <utility>
#include <vector>

#include "util/i18n.h"

namespace epsync::cli {

namespace {

struct Examples {
  std::string_view command;
  std::vector<std::string_view> lines;
};

// The command lines themselves are the same in every language; only the heading is translated.
const std::vector<Examples>& all_examples() {
  static const std::vector<Examples> table = {
      {"",
       {"epsync init --center ALM-014 --region almaty --name \"Алматы кәсіптік оқу орталығы\"",
        "epsync trainee add --iin 950101401239 --surname Қасымова --given-name Әлия "
        "--birth-date 01.01.1995 --sex F",
        "epsync record test 950101401239 --kind eps-topik --date 14.03.2026 --score 164",
        "epsync readiness --as-of 01.06.2026", "epsync sync", "epsync status",
        "epsync hub report --by region --config /etc/epsync/hub.toml"}},
      {"init", {"epsync init --center ALM-014 --region almaty --name \"Алматы кәсіптік оқу орталығы\""}},
      {"trainee", {"epsync trainee list", "epsync trainee show 950101401239"}},
      {"trainee add",
       {"epsync trainee add --iin 950101401239 --surname Қасымова --given-name Әлия --patronymic Серікқызы "
        "--birth-date 01.01.1995 --sex F --phone +77011234567 --sector manufacturing"}},
      {"trainee update",
       {"epsync trainee update 950101401239 --phone +77017654321",
        "epsync trainee update 950101401239 --status withdrawn"}},
      {"trainee show", {"epsync trainee show 950101401239"}},
      {"trainee list", {"epsync trainee list", "epsync trainee list --json"}},
      {"trainee remove", {"epsync trainee remove 950101401239"}},
      {"record",
       {"epsync record korean 950101401239 --hours 120 --level 2",
        "epsync record test 950101401239 --kind eps-topik --date 14.03.2026 --score 164"}},
      {"record korean", {"epsync record korean 950101401239 --hours 120 --level 2"}},
      {"record test",
       {"epsync record test 950101401239 --kind eps-topik --date 14.03.2026 --score 164",
        "epsync record test 980715301236 --kind mock --date 28.02.2026 --score 121"}},
      {"record medical",
       {"epsync record medical 950101401239 --date 02.02.2026 --result fit --valid-until 01.02.2027 "
        "--clinic \"Алматы қалалық емханасы №5\""}},
      {"record document",
       {"epsync record document 950101401239 --kind passport --status verified --number N12345678 "
        "--issued 10.05.2021 --expires 09.05.2031"}},
      {"import", {"epsync import trainees.csv"}},
      {"export", {"epsync export --out trainees.csv", "epsync export --format json --out trainees.json"}},
      {"readiness", {"epsync readiness", "epsync readiness --as-of 01.06.2026 --json"}},
      {"history", {"epsync history 950101401239"}},
      {"backup", {"epsync backup /var/backups/epsync/centre-2026-03-01.db"}},
      {"quarantine", {"epsync quarantine --config /etc/epsync/agent.toml"}},
      {"sync", {"epsync sync", "epsync sync --config /etc/epsync/agent.toml"}},
      {"restore", {"epsync restore --config /etc/epsync/agent.toml"}},
      {"agent", {"epsync agent --config /etc/epsync/agent.toml"}},
      {"status", {"epsync status", "epsync status --json"}},
      {"hub", {"epsync hub --config /etc/epsync/hub.toml", "epsync hub center list --health"}},
      {"hub center",
       {"epsync hub center add ALM-014 --region almaty --name \"Алматы кәсіптік оқу орталығы\"",
        "epsync hub center list --health"}},
      {"hub center add",
       {"epsync hub center add ALM-014 --region almaty --name \"Алматы кәсіптік оқу орталығы\"",
        "epsync hub center add KAR-003 --region karaganda --name \"Қарағанды оқу орталығы\""}},
      {"hub center list", {"epsync hub center list", "epsync hub center list --health --json"}},
      {"hub duplicates", {"epsync hub duplicates"}},
      {"hub conflicts", {"epsync hub conflicts", "epsync hub conflicts resolve 12 --note \"ALM-014 confirmed\""}},
      {"hub conflicts list", {"epsync hub conflicts list --all"}},
      {"hub conflicts resolve",
       {"epsync hub conflicts resolve 12 --note \"ALM-014 confirmed\"",
        "epsync hub conflicts resolve 13 --take-loser --note \"result re-checked\""}},
      {"hub quarantine", {"epsync hub quarantine", "epsync hub quarantine --json"}},
      {"hub import-results", {"epsync hub import-results eps-topik-2026-03.csv"}},
      {"hub report",
       {"epsync hub report", "epsync hub report --by center --as-of 01.06.2026 --format csv"}},
  };
  return table;
}

}  // namespace

std::string examples_footer(std::string_view command) {
  for (const auto& e : all_examples()) {
    if (e.command != command) continue;
    std::string out = trn("Example:", "Examples:", static_cast<long>(e.lines.size()));
    for (auto line : e.lines) (out += "\n  ") += line;
    return out;
  }
  return {};
}

}  // namespace epsync::cli
