// The shared 0.0.4 data files (../shared/conformance/textformat/) and the
// extra OpenMetrics samples, in both strictnesses. Verdicts: strict = expfmt
// (file names), scrape = promparse as summarised in
// textformat-edge-cases.md §3.3.
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "tests/scrape/textparse/test_util.h"

namespace promlet::scrape::textparse {
namespace {

namespace fs = std::filesystem;

const std::string kShared = PROMLET_SOURCE_DIR "/../shared/conformance";

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(TextCorpus, ExpfmtFuzzCorpus) {
  fs::path dir = kShared + "/textformat/expfmt-fuzz-corpus";
  if (!fs::exists(dir)) GTEST_SKIP() << "shared corpus not found at " << dir;
  // Where the server's scrape parser says otherwise (§3.3 of the notes).
  const std::set<std::string> scrape_accepts = {
      "from_test_parse_error_0",  "from_test_parse_error_1",  "from_test_parse_error_2",
      "from_test_parse_error_7",  "from_test_parse_error_12", "from_test_parse_error_13",
      "from_test_parse_error_14", "from_test_parse_error_19"};
  const std::set<std::string> scrape_rejects = {"from_test_parse_3"};  // negative timestamp
  int n = 0;
  for (const auto& f : fs::directory_iterator(dir)) {
    std::string name = f.path().filename().string();
    SCOPED_TRACE(name);
    std::string body = Read(f.path());
    bool expfmt_ok = name.find("error") == std::string::npos;
    ParseResult strict = TextStrict(body);
    EXPECT_EQ(strict.ok, expfmt_ok) << strict.error;
    bool scrape_ok = (expfmt_ok && !scrape_rejects.count(name)) || scrape_accepts.count(name);
    ParseResult scrape = Text(body);
    EXPECT_EQ(scrape.ok, scrape_ok) << scrape.error;
    ++n;
  }
  EXPECT_EQ(n, 26);
}

TEST(TextCorpus, LargeSamplesParse) {
  fs::path dir = kShared + "/textformat/samples";
  if (!fs::exists(dir)) GTEST_SKIP() << "shared corpus not found at " << dir;
  for (const char* name : {"alltypes.237mfs.prom.txt", "alltypes.237mfs.nometa.prom.txt",
                           "expfmt-testdata-text.prom.txt"}) {
    SCOPED_TRACE(name);
    std::string body = Read(dir / name);
    ASSERT_FALSE(body.empty());
    for (bool strict : {false, true}) {
      ParseResult r = strict ? TextStrict(body) : Text(body);
      ASSERT_TRUE(r.ok) << r.error;
      EXPECT_GT(r.entries.size(), 200u);
    }
  }
  ParseResult r = Text(Read(dir / "alltypes.237mfs.prom.txt"));
  size_t samples = 0;
  for (const std::string& e : r.entries) {
    samples += e.rfind("HELP ", 0) != 0 && e.rfind("TYPE ", 0) != 0 && e.rfind("COMMENT ", 0) != 0;
  }
  EXPECT_EQ(samples, 1857u);
}

TEST(OpenMetricsCorpus, Samples) {
  fs::path dir = kShared + "/openmetrics/samples";
  if (!fs::exists(dir)) GTEST_SKIP() << "shared corpus not found at " << dir;
  std::string hist = Read(dir / "1histogram.om.txt");
  EXPECT_TRUE(Om(hist).ok) << Om(hist).error;
  EXPECT_TRUE(OmStrict(hist).ok) << OmStrict(hist).error;
  std::string all = Read(dir / "alltypes.5mfs.om.txt");
  ParseResult r = Om(all);
  ASSERT_TRUE(r.ok) << r.error;
  // Strict rejects it: a histogram with negative buckets must not have a
  // _sum (OpenMetrics 1.0); the Go client that wrote it does not care.
  ParseResult s = OmStrict(all);
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.error.find("negative"), std::string::npos) << s.error;
}

}  // namespace
}  // namespace promlet::scrape::textparse
