// A strict reader of the Prometheus text exposition format 0.0.4, for checking what /metrics
// serves: every line is a HELP, a TYPE or a sample `name{label="value",...} value`; every metric
// family has HELP and TYPE before its samples and its samples together; label values use only
// the format's escapes; no series twice; counters are finite and not negative; each histogram's
// buckets have increasing bounds, cumulative counts, a +Inf bucket equal to _count, and a _sum.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace epsync::test {

using PromLabels = std::map<std::string, std::string>;

struct PromSample {
  std::string name;  // as written (for a histogram: NAME_bucket, NAME_sum, NAME_count)
  PromLabels labels;
  double value = 0;
};

struct PromFamily {
  std::string name, type, help;
  std::vector<PromSample> samples;
};

struct PromText {
  std::map<std::string, PromFamily> families;
  // The value of the series with exactly these labels, if present.
  std::optional<double> value(const std::string& name, const PromLabels& labels = {}) const;
};

// Empty `error` on success; otherwise "line N: what is wrong".
PromText parse_prometheus(const std::string& text, std::string& error);

}  // namespace epsync::test
