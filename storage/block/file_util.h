// Thin POSIX file helpers for blocks: whole-file writes with fsync, read-only
// mappings, directory fsync/rename/remove. TODO(h4): move onto base/env.h
// (H3) once it lands, so tests can inject faults through an Env.
#ifndef PROMLET_STORAGE_BLOCK_FILE_UTIL_H_
#define PROMLET_STORAGE_BLOCK_FILE_UTIL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace promlet::storage::block {

// An appendable file; Sync() fsyncs. Thread-compatible.
class WritableFile {
 public:
  static absl::StatusOr<std::unique_ptr<WritableFile>> Create(const std::string& path);
  ~WritableFile();
  WritableFile(const WritableFile&) = delete;
  WritableFile& operator=(const WritableFile&) = delete;

  absl::Status Append(std::string_view data);
  absl::Status Sync();
  absl::Status Close();
  uint64_t size() const { return size_; }

 private:
  WritableFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  absl::Status FlushBuffer();
  int fd_;
  std::string path_;
  std::string buf_;
  uint64_t size_ = 0;
};

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

absl::Status WriteFileSync(const std::string& path, std::string_view data);
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
