// Helpers for DB tests: a temporary directory and Select dumps.
#ifndef PROMLET_TESTS_STORAGE_DB_DB_TEST_UTIL_H_
#define PROMLET_TESTS_STORAGE_DB_DB_TEST_UTIL_H_

#include <stdlib.h>

#include <bit>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/env.h"
#include "gtest/gtest.h"
#include "storage/api/querier.h"

namespace promlet::storage::db::testutil {

class ScopedTempDir {
 public:
  ScopedTempDir() {
    std::string tmpl = absl::StrCat(::testing::TempDir(), "promlet_db_XXXXXX");
    char* p = mkdtemp(tmpl.data());
    EXPECT_NE(p, nullptr);
    path_ = tmpl;
  }
  ~ScopedTempDir() { (void)base::Env::Default()->RemoveDirRecursive(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// "labels t:bits t:bits ..." per series: compares values bit for bit.
inline std::vector<std::string> Dump(Queryable* q, int64_t mint, int64_t maxt,
                                     const Matchers& ms) {
  auto querier = q->NewQuerier();
  EXPECT_TRUE(querier.ok()) << querier.status();
  if (!querier.ok()) return {};
  auto set = (*querier)->Select(mint, maxt, ms);
  std::vector<std::string> out;
  while (set->Next()) {
    std::string line = set->At().labels().ToString();
    auto it = set->At().NewIterator();
    while (it->Next()) {
      absl::StrAppend(&line, " ", it->At().t_ms, ":", std::bit_cast<uint64_t>(it->At().value));
    }
    EXPECT_TRUE(it->status().ok()) << it->status();
    out.push_back(std::move(line));
  }
  EXPECT_TRUE(set->status().ok()) << set->status();
  return out;
}

inline Matchers All() { return {*Matcher::Make(MatchType::kRegexMatch, "__name__", ".+")}; }

}  // namespace promlet::storage::db::testutil

#endif  // PROMLET_TESTS_STORAGE_DB_DB_TEST_UTIL_H_
