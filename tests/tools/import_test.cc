// `promlet import openmetrics` parses large files on several threads; the
// blocks must be exactly those of the sequential parse, and bad input must
// get the sequential parse's error. The binary is run with
// --parse-threads=N to force N parts on a small file.
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/env.h"
#include "gtest/gtest.h"
#include "storage/api/matcher.h"
#include "storage/db/db.h"
#include "tests/testing/subprocess.h"

namespace promlet {
namespace {

using SeriesSamples = std::map<std::string, std::vector<std::pair<int64_t, double>>>;

// Time-major like a scrape dump: every series appears in every part. A
// histogram family (le normalised to "1.0") interleaved with an untyped
// `g` with an `le` label, then a counter with an untyped `g2`: the last TYPE
// line decides normalisation of `le`, in every part as in the sequential
// parse.
std::string OpenMetricsBody(int steps) {
  std::string b;
  absl::StrAppend(&b, "# HELP h Latency.\n# TYPE h histogram\n");
  for (int t = 0; t < steps; ++t) {
    for (int s = 0; s < 20; ++s) {
      const std::string ts = absl::StrCat(1700000000 + t * 15, ".", t % 1000);
      absl::StrAppend(&b, "h_bucket{s=\"", s, "\",le=\"1\"} ", t, " ", ts, "\n");
      absl::StrAppend(&b, "h_bucket{s=\"", s, "\",le=\"+Inf\"} ", 2 * t, " ", ts, "\n");
      absl::StrAppend(&b, "h_count{s=\"", s, "\"} ", 2 * t, " ", ts, "\n");
      absl::StrAppend(&b, "h_sum{s=\"", s, "\"} ", t * 0.25, " ", ts, "\n");
      absl::StrAppend(&b, "g{s=\"", s, "\",le=\"5\"} ", -t, " ", ts, "\n");
    }
  }
  absl::StrAppend(&b, "# TYPE c counter\n");
  for (int t = 0; t < steps; ++t) {
    for (int s = 0; s < 30; ++s) {
      absl::StrAppend(&b, "c_total{s=\"", s, "\"} ", t * s, " ", 1700000000 + t * 15, "\n");
      absl::StrAppend(&b, "g2{s=\"", s, "\",le=\"5\"} ", -t, " ", 1700000000 + t * 15, "\n");
    }
  }
  return b;
}

std::string WriteFile(const std::string& dir, const std::string& name, const std::string& body) {
  std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << body;
  return path;
}

struct ImportResult {
  int exit_code;
  std::string output;
};

ImportResult Import(const std::string& file, const std::string& data, int threads) {
  ImportResult r;
  r.exit_code = testing::RunCommand(absl::StrCat(PROMLET_BINARY, " import openmetrics --parse-threads=",
                                                 threads, " ", file, " ", data, " 2>&1"),
                                    &r.output);
  return r;
}

SeriesSamples ReadAll(const std::string& data) {
  storage::db::DBOptions opts;
  opts.compaction_interval = absl::ZeroDuration();
  opts.retention_ms = 0;
  auto db = storage::db::DB::Open(base::Env::Default(), data, opts);
  EXPECT_TRUE(db.ok()) << db.status();
  SeriesSamples out;
  if (!db.ok()) return out;
  auto q = (*db)->NewQuerier();
  EXPECT_TRUE(q.ok());
  auto all = storage::Matcher::Make(storage::MatchType::kRegexMatch, "__name__", ".+");
  auto set = (*q)->Select(INT64_MIN, INT64_MAX, {*all});
  while (set->Next()) {
    auto& samples = out[set->At().labels().ToString()];
    auto it = set->At().NewIterator();
    while (it->Next()) samples.push_back({it->At().t_ms, it->At().value});
  }
  EXPECT_TRUE((*db)->Close().ok());
  return out;
}

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("import_test"); }
  void TearDown() override { testing::RemoveTree(dir_); }
  std::string dir_;
};

TEST_F(ImportTest, ParallelParseWritesTheSameBlocksAsSequential) {
  const std::string file = WriteFile(dir_, "in.om", OpenMetricsBody(700) + "# EOF\n");
  ImportResult seq = Import(file, dir_ + "/seq", 1);
  ASSERT_EQ(seq.exit_code, 0) << seq.output;
  SeriesSamples want = ReadAll(dir_ + "/seq");
  ASSERT_EQ(want.size(), 20u * 5 + 60);
  EXPECT_TRUE(want.contains("{__name__=\"h_bucket\", le=\"1.0\", s=\"3\"}")) << want.begin()->first;
  EXPECT_TRUE(want.contains("{__name__=\"g\", le=\"5.0\", s=\"3\"}"));
  EXPECT_TRUE(want.contains("{__name__=\"g2\", le=\"5\", s=\"3\"}"));
  for (int threads : {2, 3, 7}) {
    SCOPED_TRACE(threads);
    const std::string data = absl::StrCat(dir_, "/par", threads);
    ImportResult par = Import(file, data, threads);
    ASSERT_EQ(par.exit_code, 0) << par.output;
    SeriesSamples got = ReadAll(data);
    EXPECT_EQ(got.size(), want.size());
    EXPECT_TRUE(got == want);
  }
}

TEST_F(ImportTest, LinesLongerThanAReadWindow) {
  // The parallel parse reads 256 KiB windows: lines of 300 KB span two.
  const std::string big(300000, 'x');
  std::string body = "# TYPE h histogram\n";
  for (int t = 0; t < 40; ++t) {
    for (int s = 0; s < 3; ++s) {
      absl::StrAppend(&body, "h_bucket{s=\"", s, big, "\",le=\"1\"} ", t, " ", 1700000000 + t * 15, "\n");
    }
  }
  const std::string file = WriteFile(dir_, "long.om", body + "# EOF\n");
  ImportResult seq = Import(file, dir_ + "/seq", 1);
  ASSERT_EQ(seq.exit_code, 0) << seq.output;
  SeriesSamples want = ReadAll(dir_ + "/seq");
  ASSERT_EQ(want.size(), 3u);
  EXPECT_NE(want.begin()->first.find("le=\"1.0\""), std::string::npos);
  for (int threads : {2, 5}) {
    SCOPED_TRACE(threads);
    const std::string data = absl::StrCat(dir_, "/par", threads);
    ImportResult par = Import(file, data, threads);
    ASSERT_EQ(par.exit_code, 0) << par.output;
    EXPECT_TRUE(ReadAll(data) == want);
  }
}

TEST_F(ImportTest, ErrorsAreTheSequentialParsesErrors) {
  std::string body = OpenMetricsBody(300);
  // A bad line late in the file (in the last part of a parallel parse).
  std::string bad = body + "c_total{s=\"1\"} 1 1800000000\nc_total{s=\"1\" 1 1800000015\n# EOF\n";
  ImportResult seq = Import(WriteFile(dir_, "bad.om", bad), dir_ + "/a", 1);
  ImportResult par = Import(dir_ + "/bad.om", dir_ + "/b", 4);
  EXPECT_EQ(seq.exit_code, 1);
  EXPECT_EQ(par.exit_code, 1);
  EXPECT_EQ(par.output, seq.output);
  EXPECT_NE(seq.output.find("line "), std::string::npos) << seq.output;

  // A `# EOF` in the middle ends the input for both.
  std::string early = body.substr(0, body.size() / 2);
  early = early.substr(0, early.rfind('\n') + 1) + "# EOF\n" + body + "# EOF\n";
  ImportResult seq2 = Import(WriteFile(dir_, "early.om", early), dir_ + "/c", 1);
  ImportResult par2 = Import(dir_ + "/early.om", dir_ + "/d", 4);
  EXPECT_EQ(par2.exit_code, seq2.exit_code) << seq2.output << par2.output;
  if (seq2.exit_code == 0) {
    EXPECT_TRUE(ReadAll(dir_ + "/c") == ReadAll(dir_ + "/d"));
  }

  // No final `# EOF`.
  ImportResult seq3 = Import(WriteFile(dir_, "noeof.om", body), dir_ + "/e", 1);
  ImportResult par3 = Import(dir_ + "/noeof.om", dir_ + "/f", 4);
  EXPECT_EQ(seq3.exit_code, 1);
  EXPECT_EQ(par3.output, seq3.output);
}

}  // namespace
}  // namespace promlet
