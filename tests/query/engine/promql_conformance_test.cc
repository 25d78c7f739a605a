// Runs every float-only eval (tag FLOAT_CORE in CASES.tsv) of the upstream
// PromQL scripts in ../shared/conformance/promql/ against the engine.
// Known failures are listed in promql_expected_failures.txt ("file:line
// reason"); any other failure fails the test, and so does a listed case
// that now passes. Prints pass counts per file.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/query/engine/promqltest.h"

namespace promlet::query::testing {
namespace {

const std::string kDir = PROMLET_SOURCE_DIR "/../shared/conformance/promql";

// file -> FLOAT_CORE eval lines. With `experimental`, the float-only
// experimental evals instead (tag experimental without nh and without the
// extended-selector/fill/duration/type-unit/start-timestamp features).
std::map<std::string, std::set<int>> ReadCases(bool experimental = false) {
  std::map<std::string, std::set<int>> out;
  std::ifstream in(kDir + "/CASES.tsv");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    if (f.size() < 4) continue;
    std::vector<std::string> tags = absl::StrSplit(f[3], ',');
    bool core = false, exp = false, hard = false;
    for (const std::string& t : tags) {
      core |= t == "FLOAT_CORE";
      exp |= t == "experimental";
      hard |= t == "nh" || t == "anchored_smoothed" || t == "fill_modifier" ||
              t == "duration_expr" || t == "type_unit_labels" || t == "start_timestamps";
    }
    if (experimental ? (exp && !hard && !core) : core) out[f[0]].insert(std::stoi(f[1]));
  }
  return out;
}

// "file:line" -> reason.
std::map<std::string, std::string> ReadExpectedFailures() {
  std::map<std::string, std::string> out;
  std::ifstream in(PROMLET_SOURCE_DIR "/tests/query/engine/promql_expected_failures.txt");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t sp = line.find(' ');
    out[line.substr(0, sp)] = sp == std::string::npos ? "" : line.substr(sp + 1);
  }
  return out;
}

void RunCorpus(bool experimental, int64_t parallel_min_steps = 0) {
  std::map<std::string, std::set<int>> cases = ReadCases(experimental);
  std::map<std::string, std::string> expected = ReadExpectedFailures();
  std::set<std::string> seen_expected;
  int total_pass = 0, total_run = 0, total_xfail = 0;
  std::printf("%-28s %6s %6s %6s %6s\n", "file", "run", "pass", "xfail", "skip");
  for (const auto& entry : std::filesystem::directory_iterator(kDir)) {
    const std::string file = entry.path().filename().string();
    if (entry.path().extension() != ".test") continue;
    std::set<int> only = cases[file];
    RunOptions opts;
    opts.only_lines = &only;
    opts.parallel_min_steps = parallel_min_steps;
    absl::StatusOr<FileResult> r = RunTestFile(entry.path().string(), opts);
    if (!r.ok()) {
      if (only.empty()) continue;  // nothing selected; a load we cannot read does not matter
      ADD_FAILURE() << file << ": " << r.status();
      continue;
    }
    int pass = 0, xfail = 0;
    for (const CaseResult& c : r->cases) {
      const std::string key = file + ":" + std::to_string(c.line);
      const bool listed = expected.count(key) > 0;
      if (listed) seen_expected.insert(key);
      if (c.ok) {
        ++pass;
        EXPECT_FALSE(listed) << key << " passes now; remove it from promql_expected_failures.txt";
      } else if (listed) {
        ++xfail;
      } else if (experimental) {
        std::printf("  not passing: %s: %s\n    %s\n", key.c_str(), c.expr.c_str(), c.message.c_str());
      } else {
        ADD_FAILURE() << key << ": " << c.expr << "\n    " << c.message;
      }
    }
    std::printf("%-28s %6zu %6d %6d %6d\n", file.c_str(), r->cases.size(), pass, xfail, r->skipped);
    total_pass += pass;
    total_run += static_cast<int>(r->cases.size());
    total_xfail += xfail;
  }
  std::printf("%-28s %6d %6d %6d\n", "TOTAL", total_run, total_pass, total_xfail);
  for (const auto& [key, reason] : expected) {
    if (!experimental) {
      EXPECT_TRUE(seen_expected.count(key)) << key << " is listed as an expected failure but did not run";
    }
  }
}

TEST(PromqlConformanceTest, FloatCoreCases) {
  if (!std::filesystem::exists(kDir + "/CASES.tsv")) {
    GTEST_SKIP() << "conformance corpus not found at " << kDir << " (../shared absent)";
  }
  RunCorpus(false);
}

// The same cases with every range query of 2+ steps split into parts
// evaluated on separate threads (as long range queries are in production):
// the joined answers must be the same.
TEST(PromqlConformanceTest, FloatCoreCasesSplitRange) {
  if (!std::filesystem::exists(kDir + "/CASES.tsv")) {
    GTEST_SKIP() << "conformance corpus not found at " << kDir << " (../shared absent)";
  }
  RunCorpus(false, 2);
}

// Float-only evals of experimental functions (sort_by_label, limitk,
// double_exponential_smoothing, ts_of_*, mad_over_time, ...). Informational:
// prints what does not pass (mostly functions the parser does not know yet:
// info, histogram_quantiles, step(), range(), min_of/max_of) without
// failing.
TEST(PromqlConformanceTest, ExperimentalFloatCases) {
  if (!std::filesystem::exists(kDir + "/CASES.tsv")) {
    GTEST_SKIP() << "conformance corpus not found at " << kDir << " (../shared absent)";
  }
  RunCorpus(true);
}

}  // namespace
}  // namespace promlet::query::testing
