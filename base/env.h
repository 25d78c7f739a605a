// Files and directories, behind an interface so tests can inject faults
// (full disk, crash before fsync, flipped bits; see
// base/fault_injection_env.h). Storage code never calls open(2) itself: it
// takes an Env* and goes through it (leveldb `Env`).
//
//   Env* env = Env::Default();  // POSIX; never destroyed
//   RETURN_IF_ERROR(env->CreateDirs("/data/wal"));
//   ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f,
//                    env->NewWritableFile("/data/wal/tmp"));
//   RETURN_IF_ERROR(f->Append(bytes));   // buffered in user space
//   RETURN_IF_ERROR(f->Flush());         // write(2): survives SIGKILL
//   RETURN_IF_ERROR(f->Sync());          // fdatasync: survives power loss
//   RETURN_IF_ERROR(f->Close());
//   RETURN_IF_ERROR(env->Rename("/data/wal/tmp", "/data/wal/final"));
//   RETURN_IF_ERROR(env->SyncDir("/data/wal"));  // make the rename durable
//
//   ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> r,
//                    env->NewRandomAccessFile("/data/wal/final"));
//   char scratch[4096];
//   ASSIGN_OR_RETURN(std::string_view got, r->Read(0, sizeof(scratch), scratch));
//
// Errors: NotFound (no such file or dir), AlreadyExists, ResourceExhausted
// (ENOSPC/EDQUOT: the disk is full; the caller should stop writing and may
// retry later), PermissionDenied, Internal (other errno). Messages carry the
// path and strerror.
#ifndef PROMLET_BASE_ENV_H_
#define PROMLET_BASE_ENV_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace promlet::base {

// An append-only file being written. Thread-compatible (caller locks).
// Append copies into a user-space buffer; Flush hands the buffer to the OS
// with write(2) (after which a SIGKILL of this process loses nothing); Sync
// flushes, then fdatasync(2)s (after which a power loss loses nothing, once
// the file's directory entry is durable too: SyncDir after creating it).
// After a failed Flush the bytes that did not reach the OS are dropped from
// the buffer; Size() then tells how many bytes the file holds, and Truncate
// can cut it back to a known good length.
class WritableFile {
 public:
  WritableFile() = default;
  WritableFile(const WritableFile&) = delete;
  WritableFile& operator=(const WritableFile&) = delete;
  // Closes if still open, ignoring errors (call Close() to see them).
  virtual ~WritableFile() = default;

  virtual absl::Status Append(std::string_view data) = 0;
  virtual absl::Status Flush() = 0;
  virtual absl::Status Sync() = 0;
  // fdatasyncs what Flush already handed to the OS, leaving the buffer
  // alone. Unlike the other methods it may run on another thread while a
  // writer calls Append/Flush/Truncate (not Close or the destructor), so a
  // background thread can make data durable without stalling the writer.
  virtual absl::Status SyncFlushed() = 0;
  // Flushes and closes. Does not sync.
  virtual absl::Status Close() = 0;
  // Drops anything buffered, cuts the file to `size` bytes and continues
  // appending there. REQUIRES: size <= Size().
  virtual absl::Status Truncate(uint64_t size) = 0;
  // Bytes in the file so far: those handed to the OS plus those buffered.
  virtual uint64_t Size() const = 0;
  virtual const std::string& path() const = 0;
};

// A file read at offsets. Thread-safe (pread).
class RandomAccessFile {
 public:
  RandomAccessFile() = default;
  RandomAccessFile(const RandomAccessFile&) = delete;
  RandomAccessFile& operator=(const RandomAccessFile&) = delete;
  virtual ~RandomAccessFile() = default;

  // Reads up to n bytes at offset into scratch (which must hold n bytes) and
  // returns a view of what was read: shorter than n only at end of file.
  // The view may point into scratch; it lives as long as scratch does.
  virtual absl::StatusOr<std::string_view> Read(uint64_t offset, size_t n,
                                                char* scratch) const = 0;
  // Size at open time.
  virtual uint64_t Size() const = 0;
  virtual const std::string& path() const = 0;
};

// A read-only memory mapping of a whole file; unmapped on destruction.
// Immutable, thread-safe. Only for files that nobody truncates while mapped
// (a SIGBUS otherwise): sealed blocks, never the WAL.
class ReadOnlyMapping {
 public:
  ReadOnlyMapping() = default;
  ReadOnlyMapping(const ReadOnlyMapping&) = delete;
  ReadOnlyMapping& operator=(const ReadOnlyMapping&) = delete;
  virtual ~ReadOnlyMapping() = default;
  virtual std::string_view data() const = 0;
};

struct DiskSpace {
  uint64_t free_bytes = 0;   // available to this (unprivileged) process
  uint64_t total_bytes = 0;
};

// Thread-safe.
class Env {
 public:
  Env() = default;
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;
  virtual ~Env() = default;

  // The POSIX Env; never destroyed.
  static Env* Default();

  // Creates or truncates `path` for writing.
  virtual absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) = 0;
  // Opens `path` for appending at its end, creating it if absent.
  virtual absl::StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(
      const std::string& path) = 0;
  virtual absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;
  // Maps the whole file read-only (an empty file gives an empty view).
  virtual absl::StatusOr<std::unique_ptr<ReadOnlyMapping>> MapReadOnly(
      const std::string& path) = 0;
  // Reads the whole file into *out (replacing its contents).
  virtual absl::Status ReadFileToString(const std::string& path, std::string* out);

  virtual bool FileExists(const std::string& path) = 0;
  virtual bool IsDirectory(const std::string& path) = 0;
  // Entry names in `dir` (not paths), sorted, without "." and "..".
  virtual absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  // AlreadyExists if `dir` exists.
  virtual absl::Status CreateDir(const std::string& dir) = 0;
  // mkdir -p; OK if it exists.
  virtual absl::Status CreateDirs(const std::string& dir) = 0;
  virtual absl::Status RemoveFile(const std::string& path) = 0;
  // rm -rf; OK if absent.
  virtual absl::Status RemoveDirRecursive(const std::string& dir) = 0;
  // rename(2): atomic, replaces an existing file (or empty dir) at `to`.
  // Follow with SyncDir(parent) to make it durable.
  virtual absl::Status Rename(const std::string& from, const std::string& to) = 0;
  virtual absl::StatusOr<uint64_t> FileSize(const std::string& path) = 0;
  virtual absl::Status Truncate(const std::string& path, uint64_t size) = 0;
  // fsyncs the directory so created, renamed and removed entries are durable.
  virtual absl::Status SyncDir(const std::string& dir) = 0;
  // Space on the filesystem holding `path` (statvfs).
  virtual absl::StatusOr<DiskSpace> GetDiskSpace(const std::string& path) = 0;

  // Writes `data` to `path` atomically: to `path + ".tmp"`, fsync, rename,
  // fsync the directory. For small files such as meta.json.
  absl::Status WriteFileAtomically(const std::string& path, std::string_view data);
};

// A RandomAccessFile over bytes in memory (for fuzzers and codec tests).
// `data` is borrowed and must outlive the file; `path` is for messages.
std::unique_ptr<RandomAccessFile> NewStringRandomAccessFile(std::string path,
                                                            std::string_view data);

// Joins path parts with '/'.
std::string JoinPath(std::string_view a, std::string_view b);
// The directory part of `path` ("." if none).
std::string DirName(std::string_view path);

}  // namespace promlet::base

#endif  // PROMLET_BASE_ENV_H_
