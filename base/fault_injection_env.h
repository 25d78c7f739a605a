// An Env for tests that wraps a real one and injects the failures storage
// must survive (leveldb `FaultInjectionTestEnv`):
//   - a full disk: writes fail with ResourceExhausted after a byte budget
//     (the last write lands partially, as a real ENOSPC write(2) can) or on
//     demand;
//   - a power loss: DropUnsyncedData() cuts every file written through this
//     Env back to its last Sync()ed length and deletes files whose directory
//     was not SyncDir()ed since they were created;
//   - bit rot: FlipBit().
//
//   FaultInjectionEnv env(Env::Default());
//   env.SetWriteBudget(4096);          // the 4097th byte hits "ENOSPC"
//   EXPECT_EQ(wal->Log(recs).code(), absl::StatusCode::kResourceExhausted);
//   env.SetWriteBudget(-1);            // space is back
//   ...
//   env.DropUnsyncedData();            // "pull the plug"; open files go dead
//   wal.reset();                       // their Close() touches nothing now
//
// Thread-safe. Files opened before a DropUnsyncedData() are dead afterwards:
// every call on them fails with Unavailable and writes nothing.
#ifndef PROMLET_BASE_FAULT_INJECTION_ENV_H_
#define PROMLET_BASE_FAULT_INJECTION_ENV_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "base/env.h"

namespace promlet::base {

class FaultInjectionEnv final : public Env {
 public:
  // `base` is borrowed and must outlive this Env.
  explicit FaultInjectionEnv(Env* base) : base_(base) {}

  // Bytes that may still reach the OS before writes fail with
  // ResourceExhausted; negative means unlimited (the default). A write that
  // crosses the budget lands partially, up to the budget.
  void SetWriteBudget(int64_t bytes);
  // While true every write fails with ResourceExhausted, writing nothing.
  void SetNoSpace(bool no_space);
  // While true Sync() and SyncDir() fail with Internal (EIO).
  void SetSyncError(bool fail);
  // While true Sync() and SyncDir() count as done (DropUnsyncedData honours
  // them) but skip the fsync itself: fast tests that never lose power for real.
  void SetSkipDiskSync(bool skip);
  // Reported as free space by GetDiskSpace while set (negative: ask base).
  void SetFreeBytes(int64_t bytes);

  // Simulates a power loss (see the file comment).
  absl::Status DropUnsyncedData();
  // Inverts bit `bit` (0..7) of the byte at `offset` in `path`.
  absl::Status FlipBit(const std::string& path, uint64_t offset, int bit);

  int64_t bytes_written() const;   // bytes handed to the OS so far
  int64_t sync_calls() const;      // successful WritableFile::Sync calls

  // Env.
  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) override;
  absl::StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(
      const std::string& path) override;
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    return base_->NewRandomAccessFile(path);
  }
  absl::StatusOr<std::unique_ptr<ReadOnlyMapping>> MapReadOnly(
      const std::string& path) override {
    return base_->MapReadOnly(path);
  }
  bool FileExists(const std::string& path) override { return base_->FileExists(path); }
  bool IsDirectory(const std::string& path) override { return base_->IsDirectory(path); }
  absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) override {
    return base_->ListDir(dir);
  }
  absl::Status CreateDir(const std::string& dir) override { return base_->CreateDir(dir); }
  absl::Status CreateDirs(const std::string& dir) override { return base_->CreateDirs(dir); }
  absl::Status RemoveFile(const std::string& path) override;
  absl::Status RemoveDirRecursive(const std::string& dir) override;
  absl::Status Rename(const std::string& from, const std::string& to) override;
  absl::StatusOr<uint64_t> FileSize(const std::string& path) override {
    return base_->FileSize(path);
  }
  absl::Status Truncate(const std::string& path, uint64_t size) override;
  absl::Status SyncDir(const std::string& dir) override;
  absl::StatusOr<DiskSpace> GetDiskSpace(const std::string& path) override;

 private:
  class File;
  friend class File;

  struct FileState {
    uint64_t synced_size = 0;
    bool dir_entry_synced = false;  // false: created since its dir's last sync
  };

  // Called by File. Returns how many of `n` bytes may be written now and the
  // error to report for the rest.
  absl::Status ReserveWrite(size_t n, size_t* allowed);
  // Error to inject, if any; *skip: don't fsync for real.
  absl::Status CheckSync(bool* skip);
  void RecordSync(const std::string& path, uint64_t size, uint64_t generation);
  void RecordTruncate(const std::string& path, uint64_t size);
  bool Alive(uint64_t generation) const;

  Env* const base_;
  mutable absl::Mutex mu_;
  int64_t budget_ ABSL_GUARDED_BY(mu_) = -1;
  bool no_space_ ABSL_GUARDED_BY(mu_) = false;
  bool sync_error_ ABSL_GUARDED_BY(mu_) = false;
  bool skip_disk_sync_ ABSL_GUARDED_BY(mu_) = false;
  int64_t free_bytes_ ABSL_GUARDED_BY(mu_) = -1;
  int64_t bytes_written_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t sync_calls_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, FileState> files_ ABSL_GUARDED_BY(mu_);
};

}  // namespace promlet::base

#endif  // PROMLET_BASE_FAULT_INJECTION_ENV_H_
