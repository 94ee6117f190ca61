// The words of a command-line parse error (an unknown option, a missing value, ...), with the
// command it concerns and a "did you mean" from that command's own options and subcommands. Plain
// data in, text out: main.cpp reads what went wrong from CLI11, this file holds no CLI11.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace epsync::cli {

// The command an error concerns, as its --help shows it.
struct CommandShape {
  std::string path;                   // "epsync trainee add"
  std::vector<std::string> options;   // its long options, "--surname"
  std::vector<std::string> commands;  // its subcommands, "add"
};

enum class ParseProblem {
  kUnknownOption,       // word: the option as typed
  kUnknownCommand,      // word: the command as typed
  kUnexpectedArgument,  // word: the argument nothing takes
  kMissingValue,        // word: the option given without its value
  kRepeated,            // word: the option given more than once
  kNotANumber,          // word: the option, value: what was given
  kFlagWithValue,       // word: the flag, value: what was given
  kBadValue,            // word: the option, value: what was given (anything else unreadable)
  kInvalidValue,        // word: the option, detail: why, already in the reader's language
  kMissingRequired,     // word: the option or argument left out
  kMissingCommand,      // the command needs a subcommand
  kOther,               // detail: the parser's own words
};

struct ParseFailure {
  ParseProblem problem = ParseProblem::kOther;
  std::string word, value, detail;
};

// "epsync trainee add: unknown option --surnam; did you mean --surname?\nsee: epsync trainee add --help\n",
// in the current language.
std::string describe_parse_failure(const CommandShape& command, const ParseFailure& failure);

// The candidate closest to `typed` by edit distance (a letter missed, added, changed or two
// swapped), or one that `typed` begins; nullopt when none is close enough to be a likely typo.
std::optional<std::string> closest_word(std::string_view typed, const std::vector<std::string>& candidates);

}  // namespace epsync::cli
