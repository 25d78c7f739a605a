// File helpers for blocks. Everything that writes a block (WriteBlock,
// Compactor, DeleteBlock, RemoveTmpDirs, MoveAsideCorrupt) goes through a
// base::Env, so tests can inject a full disk (base/fault_injection_env.h);
// WriteFileSync is its whole-file write. The POSIX helpers below remain for
// readers (mappings of sealed block files), tools and tests.
#ifndef PROMLET_STORAGE_BLOCK_FILE_UTIL_H_
#define PROMLET_STORAGE_BLOCK_FILE_UTIL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/env.h"

namespace promlet::storage::block {

// A read-only view of a whole file (mmap). Immutable; thread-safe.
class MappedFile {
 public:
  static absl::StatusOr<std::unique_ptr<MappedFile>> Open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  std::string_view data() const { return {static_cast<const char*>(addr_), size_}; }

 private:
  MappedFile(void* addr, size_t size) : addr_(addr), size_(size) {}
  void* addr_;
  size_t size_;
};

// Creates (or truncates) `path` through `env`, writes `data`, syncs, closes.
absl::Status WriteFileSync(base::Env* env, const std::string& path, std::string_view data);
absl::StatusOr<std::string> ReadFile(const std::string& path);
absl::Status MakeDir(const std::string& path);
absl::Status SyncDir(const std::string& path);
absl::Status RenamePath(const std::string& from, const std::string& to);
// Removes a file or directory tree; OK if absent.
absl::Status RemoveAll(const std::string& path);
bool PathExists(const std::string& path);
// Names (not paths) of the entries of a directory, sorted; "." and ".." left out.
absl::StatusOr<std::vector<std::string>> ListDir(const std::string& path);
// Total bytes of regular files under path.
uint64_t DirSizeBytes(const std::string& path);

}  // namespace promlet::storage::block

#endif  // PROMLET_STORAGE_BLOCK_FILE_UTIL_H_
