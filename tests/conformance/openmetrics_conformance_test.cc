// Runs the official OpenMetrics parser suite
// (../shared/conformance/openmetrics/parsers/<case>/{metrics,test.json})
// through the parser in strict OpenMetrics mode: every case must be accepted
// or rejected as its test.json says, except the cases listed with a reason
// in openmetrics_expected_deviations.txt. A listed case that conforms again
// also fails, so the list stays honest. Prints the counts.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "scrape/textparse/parser.h"

namespace promlet::scrape::textparse {
namespace {

namespace fs = std::filesystem;

const char kSuiteDir[] = PROMLET_SOURCE_DIR "/../shared/conformance/openmetrics/parsers";
const char kDeviations[] = PROMLET_SOURCE_DIR "/tests/conformance/openmetrics_expected_deviations.txt";

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Case {
  std::string name;
  std::string body;
  bool should_parse;
};

std::vector<Case> LoadSuite() {
  std::vector<Case> cases;
  for (const auto& dir : fs::directory_iterator(kSuiteDir)) {
    if (!dir.is_directory()) continue;
    std::string json = ReadFile(dir.path() / "test.json");
    size_t k = json.find("\"shouldParse\"");
    if (k == std::string::npos) continue;
    size_t colon = json.find(':', k);
    size_t v = json.find_first_not_of(" \t\r\n", colon + 1);
    cases.push_back({dir.path().filename().string(), ReadFile(dir.path() / "metrics"),
                     json.compare(v, 4, "true") == 0});
  }
  std::sort(cases.begin(), cases.end(), [](const Case& a, const Case& b) { return a.name < b.name; });
  return cases;
}

// "case_name  reason..." per line; '#' starts a comment line.
std::map<std::string, std::string> LoadDeviations() {
  std::map<std::string, std::string> out;
  std::ifstream in(kDeviations);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t sp = line.find_first_of(" \t");
    std::string name = line.substr(0, sp);
    std::string reason = sp == std::string::npos ? "" : line.substr(line.find_first_not_of(" \t", sp));
    out[name] = reason;
  }
  return out;
}

// Returns "" when accepted, else the error.
std::string Parse(const std::string& body, Strictness s) {
  ParserOptions o;
  o.format = Format::kOpenMetrics;
  o.strictness = s;
  Parser p(o);
  p.Reset(body);
  for (;;) {
    Entry e = p.Next();
    if (e == Entry::kEof) return "";
    if (e == Entry::kError) return std::string(p.status().message());
    if (e == Entry::kSeries) {
      p.labels();
      if (p.has_exemplar()) p.exemplar();
    }
  }
}

TEST(OpenMetricsConformance, StrictModeMatchesSuite) {
  if (!fs::exists(kSuiteDir)) GTEST_SKIP() << "OpenMetrics suite not found at " << kSuiteDir;
  std::vector<Case> cases = LoadSuite();
  std::map<std::string, std::string> deviations = LoadDeviations();
  ASSERT_GE(cases.size(), 200u);
  int good_ok = 0, bad_ok = 0, good_total = 0, bad_total = 0, deviating = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::string err = Parse(c.body, Strictness::kStrict);
    bool accepted = err.empty();
    bool conforms = accepted == c.should_parse;
    (c.should_parse ? good_total : bad_total)++;
    if (conforms) (c.should_parse ? good_ok : bad_ok)++;
    bool listed = deviations.count(c.name) > 0;
    if (listed) {
      ++deviating;
      EXPECT_FALSE(conforms) << "listed as a deviation but now conforms; remove it from "
                             << kDeviations;
    } else {
      EXPECT_TRUE(conforms) << (c.should_parse ? "must parse, got: " + err
                                               : std::string("must be rejected, was accepted"));
    }
  }
  std::printf("openmetrics suite (strict): %d cases; must-parse %d/%d accepted, must-fail %d/%d "
              "rejected; %d listed deviations\n",
              static_cast<int>(cases.size()), good_ok, good_total, bad_ok, bad_total, deviating);
}

// Informational: what Prometheus-like scrape mode does with the suite. Its
// must-parse cases must all be accepted; the semantic bad_* cases are
// expected to pass (Prometheus accepts them too), so only count them.
TEST(OpenMetricsConformance, ScrapeModeAcceptsAllValidCases) {
  if (!fs::exists(kSuiteDir)) GTEST_SKIP() << "OpenMetrics suite not found at " << kSuiteDir;
  int lenient = 0, bad_total = 0;
  for (const Case& c : LoadSuite()) {
    SCOPED_TRACE(c.name);
    std::string err = Parse(c.body, Strictness::kScrape);
    if (c.should_parse) {
      EXPECT_EQ(err, "");
    } else {
      ++bad_total;
      if (err.empty()) ++lenient;
    }
  }
  std::printf("openmetrics suite (scrape mode): %d of %d must-fail cases accepted, as the "
              "Prometheus server would\n", lenient, bad_total);
}

}  // namespace
}  // namespace promlet::scrape::textparse
