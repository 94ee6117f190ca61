#include "http/prometheus.h"

#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>

namespace epsync::test {

namespace {

bool metric_name(const std::string& s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool label_name(const std::string& s) {
  if (s.empty() || s.rfind("__", 0) == 0) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

std::optional<double> parse_value(const std::string& s) {
  if (s == "+Inf") return HUGE_VAL;
  if (s == "-Inf") return -HUGE_VAL;
  if (s == "NaN") return NAN;
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return std::nullopt;
  if (s.find_first_not_of("0123456789.eE+-") != std::string::npos) return std::nullopt;  // no "inf", "0x1p3"
  return v;
}

struct Fail {
  std::string what;
};

// A `# HELP name text` or `# TYPE name type` line, before the samples of its family.
void read_comment(const std::string& line, PromText& out, const std::set<std::string>& closed) {
  std::istringstream ls(line);
  std::string hash, kind, name;
  ls >> hash >> kind >> name;
  if (hash != "#" || (kind != "HELP" && kind != "TYPE")) throw Fail{"a comment that is neither HELP nor TYPE"};
  if (!metric_name(name)) throw Fail{"bad metric name '" + name + "'"};
  std::string prefix = "# " + kind + " " + name + " ";
  if (line.rfind(prefix, 0) != 0) throw Fail{"malformed " + kind + " line"};
  std::string rest = line.substr(prefix.size());
  PromFamily& f = out.families[name];
  f.name = name;
  if (!f.samples.empty() || closed.count(name)) throw Fail{kind + " after the samples of " + name};
  if (kind == "HELP") {
    if (!f.help.empty()) throw Fail{"second HELP for " + name};
    for (size_t i = 0; i < rest.size(); ++i)
      if (rest[i] == '\\' && (i + 1 >= rest.size() || (rest[i + 1] != '\\' && rest[i + 1] != 'n')))
        throw Fail{"bad escape in HELP of " + name};
      else if (rest[i] == '\\') ++i;
    if (rest.empty()) throw Fail{"empty HELP for " + name};
    f.help = rest;
  } else {
    if (!f.type.empty()) throw Fail{"second TYPE for " + name};
    if (rest != "counter" && rest != "gauge" && rest != "histogram" && rest != "summary" && rest != "untyped")
      throw Fail{"unknown type '" + rest + "'"};
    f.type = rest;
  }
}

// A quoted label value starting after its opening quote at `i`; `i` ends after the closing quote.
std::string read_label_value(const std::string& line, size_t& i) {
  std::string v;
  while (true) {
    if (i >= line.size()) throw Fail{"unterminated label value"};
    char c = line[i++];
    if (c == '"') break;
    if (c == '\\') {
      if (i >= line.size()) throw Fail{"unterminated escape"};
      char e = line[i++];
      if (e == '\\') v += '\\';
      else if (e == '"') v += '"';
      else if (e == 'n') v += '\n';
      else throw Fail{std::string("bad escape \\") + e + " in a label value"};
    } else {
      v += c;
    }
  }
  return v;
}

// The labels `{name="value",...}` after their opening brace at `i`; `i` ends after the '}'.
void read_labels(const std::string& line, size_t& i, PromLabels& labels) {
  while (true) {
    if (i >= line.size()) throw Fail{"unterminated labels"};
    if (line[i] == '}') {
      if (!labels.empty() && line[i - 1] == ',') throw Fail{"trailing comma in labels"};
      ++i;
      break;
    }
    size_t eq = line.find('=', i);
    if (eq == std::string::npos) throw Fail{"label without '='"};
    std::string lname = line.substr(i, eq - i);
    if (!label_name(lname)) throw Fail{"bad label name '" + lname + "'"};
    i = eq + 1;
    if (i >= line.size() || line[i] != '"') throw Fail{"label value not quoted"};
    ++i;
    std::string v = read_label_value(line, i);
    if (labels.count(lname)) throw Fail{"label '" + lname + "' twice"};
    labels[lname] = v;
    if (i < line.size() && line[i] == ',') ++i;
    else if (i >= line.size() || line[i] != '}') throw Fail{"expected ',' or '}' after a label"};
  }
}

// A sample: name, optional {labels}, one space, value (no timestamp expected).
PromSample read_sample(const std::string& line) {
  size_t i = 0;
  while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
  PromSample s;
  s.name = line.substr(0, i);
  if (!metric_name(s.name)) throw Fail{"bad metric name '" + s.name + "'"};
  if (i < line.size() && line[i] == '{') {
    ++i;
    read_labels(line, i, s.labels);
  }
  if (i >= line.size() || line[i] != ' ') throw Fail{"no single space before the value"};
  std::string value_text = line.substr(i + 1);
  if (value_text.find(' ') != std::string::npos) throw Fail{"more than a value after the series (a timestamp?)"};
  auto v = parse_value(value_text);
  if (!v) throw Fail{"bad value '" + value_text + "'"};
  s.value = *v;
  return s;
}

// A sample's family: the name itself, or for histogram series the name without the suffix.
std::string family_of(const PromSample& s, const PromText& out) {
  std::string family = s.name;
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    std::string sf = suffix;
    if (s.name.size() > sf.size() && s.name.compare(s.name.size() - sf.size(), sf.size(), sf) == 0) {
      std::string base = s.name.substr(0, s.name.size() - sf.size());
      auto it = out.families.find(base);
      if (it != out.families.end() && it->second.type == "histogram") family = base;
    }
  }
  return family;
}

// The samples read so far: which families are over (`closed`), which is being read, which series seen.
struct SampleOrder {
  std::set<std::string> series, closed;
  std::string current;  // the family whose samples are being read
};

void add_sample(PromSample s, PromText& out, SampleOrder& order) {
  std::string family = family_of(s, out);
  auto it = out.families.find(family);
  if (it == out.families.end() || it->second.type.empty()) throw Fail{"sample of " + s.name + " without a TYPE"};
  PromFamily& f = it->second;
  if (f.help.empty()) throw Fail{"sample of " + s.name + " without a HELP"};
  if (f.type == "histogram" && family == s.name) throw Fail{"histogram sample without _bucket/_sum/_count"};
  if (f.type == "histogram" && s.name == family + "_bucket" && !s.labels.count("le"))
    throw Fail{"bucket without le"};
  if (f.type == "counter" && (!std::isfinite(s.value) || s.value < 0)) throw Fail{"counter " + s.name + " < 0"};
  if (family != order.current) {
    if (order.closed.count(family)) throw Fail{"samples of " + family + " are not together"};
    if (!order.current.empty()) order.closed.insert(order.current);
    order.current = family;
  }
  std::string key = s.name + "{";
  for (const auto& [k, lv] : s.labels) key += k + "=" + lv + "\x1f";
  if (!order.series.insert(key).second) throw Fail{"series " + s.name + " twice"};
  f.samples.push_back(std::move(s));
}

// Per label set (without le): buckets ordered and cumulative, +Inf == _count, _sum present.
void check_histogram(const std::string& name, const PromFamily& f) {
  std::map<PromLabels, std::vector<std::pair<double, double>>> buckets;
  std::map<PromLabels, double> counts, sums;
  for (const auto& s : f.samples) {
    PromLabels base = s.labels;
    if (s.name == name + "_bucket") {
      auto le = parse_value(base["le"]);
      if (!le) throw Fail{name + ": bad le '" + base["le"] + "'"};
      base.erase("le");
      buckets[base].emplace_back(*le, s.value);
    } else if (s.name == name + "_count") {
      counts[base] = s.value;
    } else if (s.name == name + "_sum") {
      sums[base] = s.value;
    }
  }
  for (const auto& [labels, bs] : buckets) {
    for (size_t k = 1; k < bs.size(); ++k) {
      if (!(bs[k].first > bs[k - 1].first)) throw Fail{name + ": bucket bounds not increasing"};
      if (bs[k].second < bs[k - 1].second) throw Fail{name + ": bucket counts not cumulative"};
    }
    if (bs.empty() || !std::isinf(bs.back().first)) throw Fail{name + ": no +Inf bucket"};
    if (!counts.count(labels)) throw Fail{name + ": no _count"};
    if (!sums.count(labels)) throw Fail{name + ": no _sum"};
    if (counts.at(labels) != bs.back().second) throw Fail{name + ": +Inf bucket differs from _count"};
  }
  if (buckets.size() != counts.size() || buckets.size() != sums.size())
    throw Fail{name + ": _count or _sum without buckets"};
}

}  // namespace

std::optional<double> PromText::value(const std::string& name, const PromLabels& labels) const {
  for (const auto& [fname, f] : families)
    for (const auto& s : f.samples)
      if (s.name == name && s.labels == labels) return s.value;
  return std::nullopt;
}

PromText parse_prometheus(const std::string& text, std::string& error) {
  PromText out;
  error.clear();
  int line_no = 0;
  try {
    if (text.empty()) throw Fail{"empty exposition"};
    if (text.back() != '\n') throw Fail{"the text does not end with a line feed"};
    SampleOrder order;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      ++line_no;
      if (line.empty()) throw Fail{"empty line"};
      if (line.find('\r') != std::string::npos) throw Fail{"carriage return"};
      if (line[0] == '#') read_comment(line, out, order.closed);
      else add_sample(read_sample(line), out, order);
    }
    line_no = 0;
    // Whole-family checks.
    for (const auto& [name, f] : out.families) {
      if (f.type.empty()) throw Fail{"HELP without TYPE for " + name};
      if (f.help.empty()) throw Fail{"TYPE without HELP for " + name};
      if (f.type == "histogram") check_histogram(name, f);
    }
  } catch (const Fail& f) {
    error = (line_no ? "line " + std::to_string(line_no) + ": " : std::string()) + f.what;
  }
  return out;
}

}  // namespace epsync::test
