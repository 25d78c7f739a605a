// A runner for the promqltest `.test` script format
// (../shared/conformance/promql/FORMAT.md): `load`, `clear`, `eval instant
// at`, `eval range from .. to .. step`, `expect fail|ordered|warn|...`,
// `expect range vector`, `expect string`, deprecated `eval_fail` forms.
// It runs scripts against storage::MemStorage and the query engine.
//
//   RunOptions opts;
//   ASSIGN_OR_RETURN(FileResult r, RunTestFile("x.test", opts));
//   for (const CaseResult& c : r.cases) if (!c.ok) ...
#ifndef PROMLET_TESTS_QUERY_ENGINE_PROMQLTEST_H_
#define PROMLET_TESTS_QUERY_ENGINE_PROMQLTEST_H_

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace promlet::query::testing {

struct RunOptions {
  // When set, only evals whose 1-based header line is in the set run.
  const std::set<int>* only_lines = nullptr;
  // When > 0, range queries of at least this many steps run split across
  // threads (EngineOptions::parallel_min_steps); answers must not change.
  int64_t parallel_min_steps = 0;
};

struct CaseResult {
  int line = 0;
  std::string expr;
  bool ok = false;
  std::string message;  // why it failed
};

struct FileResult {
  std::vector<CaseResult> cases;  // evals that ran
  int skipped = 0;                // evals not selected
};

// Runs one script. Errors only for unreadable files and malformed
// commands; eval mismatches are reported per case.
absl::StatusOr<FileResult> RunTestFile(const std::string& path, const RunOptions& opts);
absl::StatusOr<FileResult> RunTestScript(const std::string& content, const RunOptions& opts);

}  // namespace promlet::query::testing

#endif  // PROMLET_TESTS_QUERY_ENGINE_PROMQLTEST_H_
