#include "cli/parse_errors.h"

#include <algorithm>
#include <cctype>

#include "util/i18n.h"

namespace epsync::cli {

namespace {

std::string bare(std::string_view word) {
  while (word.starts_with('-')) word.remove_prefix(1);
  std::string out(word);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Edits (insert, delete, change, swap two neighbours) that turn a into b.
std::size_t typo_distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t change = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + change});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

std::string unknown_option(const CommandShape& c, const std::string& word) {
  std::string typed = word.substr(0, word.find('='));
  if (auto near = closest_word(typed, c.options)) return trf("unknown option {}; did you mean {}?", typed, *near);
  return trf("unknown option {}", typed);
}

std::string unknown_command(const CommandShape& c, const std::string& word) {
  if (auto near = closest_word(word, c.commands)) return trf("unknown command '{}'; did you mean '{}'?", word, *near);
  return trf("unknown command '{}'; the commands are: {}", word, joined(c.commands));
}

std::string what_went_wrong(const CommandShape& c, const ParseFailure& f) {
  switch (f.problem) {
    case ParseProblem::kUnknownOption: return unknown_option(c, f.word);
    case ParseProblem::kUnknownCommand: return unknown_command(c, f.word);
    case ParseProblem::kUnexpectedArgument: return trf("unexpected argument '{}'", f.word);
    case ParseProblem::kMissingValue: return trf("{} needs a value", f.word);
    case ParseProblem::kRepeated: return trf("{} is given more than once", f.word);
    case ParseProblem::kNotANumber: return trf("{}: must be a whole number, got '{}'", f.word, f.value);
    case ParseProblem::kFlagWithValue: return trf("{} takes no value, got '{}'", f.word, f.value);
    case ParseProblem::kBadValue: return trf("{}: cannot read '{}'", f.word, f.value);
    case ParseProblem::kInvalidValue: return f.word + ": " + f.detail;
    case ParseProblem::kMissingRequired: return trf("{} is required", f.word);
    case ParseProblem::kMissingCommand: return trf("a command is needed, one of: {}", joined(c.commands));
    case ParseProblem::kOther: break;
  }
  return trf("cannot read the command line: {}", f.detail);
}

}  // namespace

std::optional<std::string> closest_word(std::string_view typed, const std::vector<std::string>& candidates) {
  std::string want = bare(typed);
  if (want.empty()) return std::nullopt;
  // A short word tolerates one slip, a longer one a slip per three letters, at most three.
  std::size_t tolerated = std::clamp<std::size_t>(want.size() / 3, 1, 3);
  std::optional<std::string> best;
  std::size_t best_distance = tolerated + 1;
  for (const auto& candidate : candidates) {
    std::string have = bare(candidate);
    std::size_t distance = typo_distance(want, have);
    if (want.size() >= 3 && have.starts_with(want)) distance = std::min<std::size_t>(distance, 1);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

std::string describe_parse_failure(const CommandShape& command, const ParseFailure& failure) {
  return command.path + ": " + what_went_wrong(command, failure) + "\n" +
         trf("see: {} --help", command.path) + "\n";
}

}  // namespace epsync::cli
