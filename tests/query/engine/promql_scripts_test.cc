// Runs our own PromQL scripts in tests/query/testdata/*.test; every eval
// must pass.
#include <filesystem>

#include "gtest/gtest.h"
#include "tests/query/engine/promqltest.h"

namespace promlet::query::testing {
namespace {

void RunScripts(int64_t parallel_min_steps) {
  const std::filesystem::path dir = PROMLET_SOURCE_DIR "/tests/query/testdata";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".test") continue;
    ++files;
    RunOptions opts;
    opts.parallel_min_steps = parallel_min_steps;
    absl::StatusOr<FileResult> r = RunTestFile(entry.path().string(), opts);
    ASSERT_TRUE(r.ok()) << entry.path() << ": " << r.status();
    int pass = 0;
    for (const CaseResult& c : r->cases) {
      if (c.ok) {
        ++pass;
      } else {
        ADD_FAILURE() << entry.path().filename() << ":" << c.line << ": " << c.expr << "\n    " << c.message;
      }
    }
    std::printf("%-32s %d/%zu passed\n", entry.path().filename().c_str(), pass, r->cases.size());
  }
  EXPECT_GT(files, 0);
}

TEST(PromqlScriptsTest, AllEvalsPass) { RunScripts(0); }

// Range queries split into parts on threads (EngineOptions::parallel_min_steps).
TEST(PromqlScriptsTest, AllEvalsPassSplitRange) { RunScripts(2); }

// The runner itself must notice a wrong value, a missing series and an
// unexpected success.
TEST(PromqlScriptsTest, RunnerDetectsMismatches) {
  const char* script = R"(
load 1m
  m{a="1"} 1 2 3

eval instant at 2m m
  m{a="1"} 4

eval instant at 2m m
  m{a="1"} 3
  m{a="2"} 3

eval instant at 2m m
  expect fail

eval instant at 2m m
  m{a="1"} 3
)";
  absl::StatusOr<FileResult> r = RunTestScript(script, RunOptions{});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->cases.size(), 4u);
  EXPECT_FALSE(r->cases[0].ok);
  EXPECT_FALSE(r->cases[1].ok);
  EXPECT_FALSE(r->cases[2].ok);
  EXPECT_TRUE(r->cases[3].ok) << r->cases[3].message;
}

}  // namespace
}  // namespace promlet::query::testing
