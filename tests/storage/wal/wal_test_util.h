// Helpers shared by the WAL tests: a temporary directory and reading back
// every record of a WAL directory.
#ifndef PROMLET_TESTS_STORAGE_WAL_WAL_TEST_UTIL_H_
#define PROMLET_TESTS_STORAGE_WAL_WAL_TEST_UTIL_H_

#include <stdlib.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "base/env.h"
#include "gtest/gtest.h"
#include "storage/wal/wal_reader.h"

namespace promlet::storage::wal::testing {

// A fresh directory, removed on destruction. Under /dev/shm when there is
// one: these tests create, truncate and fsync thousands of files, which is
// ~30x slower on a busy disk, and what they check (bytes handed to the OS,
// the reader's verdicts) does not depend on the filesystem.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm/promlet_wal_test.XXXXXX"
                                                       : "/tmp/promlet_wal_test.XXXXXX";
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    if (!path_.empty()) (void)base::Env::Default()->RemoveDirRecursive(path_);
  }
  const std::string& path() const { return path_; }
  std::string Sub(std::string_view name) const { return base::JoinPath(path_, name); }

 private:
  std::string path_;
};

// Replays `dir` and returns every record (copies).
inline std::vector<std::string> ReplayAll(base::Env* env, const std::string& dir,
                                          ReplayStats* stats = nullptr) {
  std::vector<std::string> out;
  ReplayStats local;
  absl::Status s = ReplayWal(
      env, dir,
      [&](std::string_view rec) {
        out.emplace_back(rec);
        return absl::OkStatus();
      },
      stats != nullptr ? stats : &local);
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

// A record of `size` bytes whose content depends on `seed`.
inline std::string MakeRecord(size_t size, uint64_t seed) {
  std::string r(size, '\0');
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (size_t i = 0; i < size; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    r[i] = static_cast<char>(x);
  }
  return r;
}

}  // namespace promlet::storage::wal::testing

#endif  // PROMLET_TESTS_STORAGE_WAL_WAL_TEST_UTIL_H_
