// Wide check against the upstream promqltest corpus in
// ../shared/conformance/promql: every eval expression (CASES.tsv) parses
// unless it uses a feature we do not support, prints, and reparses to the
// same text; every `load` line and expected-series line of the .test files
// parses as a series description.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "query/parser/parser.h"
#include "query/parser/printer.h"
#include "query/parser/series_desc.h"

namespace promlet::query {
namespace {

const std::string kDir = PROMLET_SOURCE_DIR "/../shared/conformance/promql";

// (absl::StrSplit yields absl::string_view, which is not std::string_view
// in Debian's Abseil.)
std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

// Tags for features this parser leaves out on purpose (experimental upstream).
bool UnsupportedTag(std::string_view tags) {
  for (std::string_view t : {"anchored_smoothed", "fill_modifier", "duration_expr"}) {
    if (tags.find(t) != std::string_view::npos) return true;
  }
  return false;
}

// Experimental syntax that is not tagged in CASES.tsv: info(),
// histogram_quantiles(), duration-expression helpers (step(), range(),
// min_of(), max_of(), start()/end() as functions), start_timestamp() and the
// native-histogram trim operators </ and >/. Consulted only for expressions
// that fail.
bool UsesExperimentalSyntax(std::string_view expr) {
  std::string lower(expr);
  for (char& c : lower) c = static_cast<char>(absl::ascii_tolower(static_cast<unsigned char>(c)));
  for (std::string_view m : {"info(", "histogram_quantiles(", "step()", "range()", "min_of(",
                             "max_of(", "start()", "end()", ">/", "</", "start_timestamp("}) {
    if (lower.find(m) != std::string::npos) return true;
  }
  return false;
}

TEST(ConformanceCorpusTest, EveryEvalExpressionParses) {
  std::string tsv;
  if (!ReadFile(kDir + "/CASES.tsv", &tsv)) GTEST_SKIP() << "no ../shared/conformance/promql";
  int parsed = 0;
  int skipped = 0;
  for (std::string_view line : Split(tsv, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string_view> cols = Split(line, '\t');
    ASSERT_EQ(cols.size(), 5u) << line;
    const std::string_view tags = cols[3];
    const std::string expr(cols[4]);
    if (UnsupportedTag(tags)) {
      ++skipped;
      continue;
    }
    SCOPED_TRACE(std::string(cols[0]) + ":" + std::string(cols[1]) + ": " + expr);
    absl::StatusOr<ExprPtr> e = ParseExpr(expr);
    if (!e.ok() && UsesExperimentalSyntax(expr)) {
      ++skipped;
      continue;
    }
    if (!e.ok()) {
      ADD_FAILURE() << e.status();
      continue;
    }
    ++parsed;
    const std::string printed = Print(**e);
    absl::StatusOr<ExprPtr> again = ParseExpr(printed);
    ASSERT_TRUE(again.ok()) << printed << ": " << again.status();
    EXPECT_EQ(Print(**again), printed);
  }
  std::cout << "parsed " << parsed << " eval expressions, skipped " << skipped
            << " using unsupported experimental features\n";
  EXPECT_GT(parsed, 1500);
}

TEST(ConformanceCorpusTest, EverySeriesLineParses) {
  std::string tsv;
  if (!ReadFile(kDir + "/CASES.tsv", &tsv)) GTEST_SKIP() << "no ../shared/conformance/promql";
  std::vector<std::string> files;
  for (std::string_view line : Split(tsv, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    std::string f(line.substr(0, line.find('\t')));
    if (files.empty() || files.back() != f) files.push_back(f);
  }
  int lines = 0;
  for (const std::string& file : files) {
    std::string text;
    ASSERT_TRUE(ReadFile(kDir + "/" + file, &text)) << file;
    enum { kNone, kLoad, kEval } block = kNone;
    int lineno = 0;
    for (std::string_view raw : Split(text, '\n')) {
      ++lineno;
      std::string_view l = Trim(raw);
      if (l.empty() || l[0] == '#') {
        block = kNone;
        continue;
      }
      if (l.starts_with("load")) {
        block = kLoad;
        continue;
      }
      if (l.starts_with("eval")) {
        block = kEval;
        continue;
      }
      if (l.starts_with("clear")) continue;
      if (block == kNone) continue;
      if (block == kEval) {
        if (l.starts_with("expect") || l.starts_with("expected_fail")) continue;
        // A bare number is a scalar result and ends the block.
        double v;
        if (absl::SimpleAtod(std::string(l), &v) || l == "NaN" || l.starts_with("0x")) {
          block = kNone;
          continue;
        }
      }
      // @st start-timestamp lines use duration offsets, not values.
      if (l.find("@st") != std::string_view::npos) continue;
      SCOPED_TRACE(file + ":" + std::to_string(lineno) + ": " + std::string(l));
      absl::StatusOr<SeriesDesc> d = ParseSeriesDesc(l);
      EXPECT_TRUE(d.ok()) << d.status();
      ++lines;
    }
  }
  std::cout << "parsed " << lines << " series description lines\n";
  EXPECT_GT(lines, 1000);
}

}  // namespace
}  // namespace promlet::query
