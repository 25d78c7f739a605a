// The write-ahead log writer: segmented files of CRC-framed records
// (docs/format/wal.md). One Log() call per commit; it returns once the
// records are handed to the OS (write(2)), so a killed process loses nothing
// committed. A background thread fdatasyncs every sync_interval the current
// segment and the segments closed since (a power loss loses at most
// sync_interval); it syncs without holding the lock Log() takes, so commits
// never wait for the disk. Without the thread (sync_interval zero) segments
// are synced as they close, and on Sync() and Close().
//
// Open order at start-up: replay and repair first, then open for writing:
//
//   ReplayStats rs;
//   RETURN_IF_ERROR(ReplayWal(env, dir, [&](std::string_view rec) {
//     return head->ApplyWalRecord(rec);       // view valid during the call
//   }, &rs));
//   ASSIGN_OR_RETURN(std::unique_ptr<Wal> wal, Wal::Open(env, dir, {}));
//   ...
//   series_rec.clear(); samples_rec.clear();  // reused buffers
//   EncodeOneSeries(ref, labels, &series_rec);
//   EncodeSamples(batch, &samples_rec);
//   RETURN_IF_ERROR(wal->Log({series_rec, samples_rec}));  // the commit
//   ...
//   RETURN_IF_ERROR(wal->Close());
//
// Thread-safe.
#ifndef PROMLET_STORAGE_WAL_WAL_H_
#define PROMLET_STORAGE_WAL_WAL_H_

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/env.h"
#include "storage/wal/wal_format.h"

namespace promlet::storage::wal {

struct WalOptions {
  // A new segment starts when the next commit would not fit (soft limit: a
  // single commit larger than this makes one larger segment).
  uint64_t segment_size_bytes = kDefaultSegmentSize;
  // Background fdatasync of the current segment; zero: only Sync(), segment
  // close and Close() sync.
  absl::Duration sync_interval = absl::Seconds(1);
};

struct WalStats {
  int64_t commits = 0;
  int64_t records = 0;
  int64_t bytes_written = 0;     // framed bytes handed to the OS
  int64_t segments_created = 0;
  int64_t syncs = 0;
  int64_t failed_commits = 0;    // Log calls that returned an error
};

class Wal {
 public:
  // Creates `dir` if needed and starts a new segment after the highest
  // existing segment or checkpoint. REQUIRES: the WAL was replayed first
  // (ReplayWal repairs a torn tail; Open does not read old segments).
  // `env` is borrowed and must outlive the Wal.
  static absl::StatusOr<std::unique_ptr<Wal>> Open(base::Env* env, std::string dir,
                                                   WalOptions options);
  // Closes (syncing) if not closed yet; errors are logged.
  ~Wal();
  Wal(const Wal&) = delete;
  Wal& operator=(const Wal&) = delete;

  // Writes one commit: each record framed, all with one write(2). Returns
  // after the write, before any fsync. Records may be up to many MiB; empty
  // ones are skipped (so a commit may pass an unused buffer). On error nothing of this commit stays in the segment (it is cut
  // back); ResourceExhausted means the disk is full: retry later. After an
  // error that could not be undone (the cut-back failed) every later call
  // returns FailedPrecondition.
  absl::Status Log(std::span<const std::string_view> records);
  absl::Status Log(std::initializer_list<std::string_view> records) {
    return Log(std::span<const std::string_view>(records.begin(), records.size()));
  }
  absl::Status Log(std::string_view record) { return Log({record}); }

  // fdatasyncs the current segment and any closed but unsynced ones:
  // everything logged before the call survives a power loss afterwards.
  // Runs concurrently with Log() without blocking it.
  absl::Status Sync();
  // Seals the current segment (synced like any closed segment) and starts
  // the next; returns the new segment's index. Head truncation calls it so
  // that every segment before the returned one may be checkpointed.
  absl::StatusOr<int> NextSegment();
  // Stops the sync thread, syncs and closes. Log fails afterwards.
  absl::Status Close();

  // The segment being written.
  int current_segment() const;
  WalStats stats() const;
  const std::string& dir() const { return dir_; }

 private:
  Wal(base::Env* env, std::string dir, WalOptions options);
  struct Closed {
    std::shared_ptr<base::WritableFile> file;
    bool dirty;
  };

  absl::Status OpenSegment(int index) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // With a sync thread: hands the segment to it. Without: syncs and closes.
  absl::Status CloseSegment() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Frames `records` into buf_ as if written at segment offset `offset`.
  void Frame(std::span<const std::string_view> records, uint64_t offset)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Syncs closed segments and the current one, outside mu_.
  absl::Status SyncAll() ABSL_LOCKS_EXCLUDED(mu_);
  void SyncLoop();

  base::Env* const env_;
  const std::string dir_;
  const WalOptions options_;

  const bool sync_thread_enabled_;

  mutable absl::Mutex mu_;
  // Shared with SyncAll() while it syncs outside mu_; the last owner closes.
  std::shared_ptr<base::WritableFile> file_ ABSL_GUARDED_BY(mu_);
  std::vector<Closed> closed_segments_ ABSL_GUARDED_BY(mu_);  // awaiting sync
  int segment_ ABSL_GUARDED_BY(mu_) = -1;
  bool dirty_ ABSL_GUARDED_BY(mu_) = false;      // written since last sync
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status broken_ ABSL_GUARDED_BY(mu_);
  std::string buf_ ABSL_GUARDED_BY(mu_);         // reused framing buffer
  WalStats stats_ ABSL_GUARDED_BY(mu_);
  std::thread sync_thread_;                      // joined in Close()
};

// Lists the segment indexes in `dir` in ascending order (no checkpoints).
absl::StatusOr<std::vector<int>> ListSegments(base::Env* env, const std::string& dir);

// Removes segments with index <= `last` (after a checkpoint covering them).
absl::Status RemoveSegmentsUpTo(base::Env* env, const std::string& dir, int last);

}  // namespace promlet::storage::wal

#endif  // PROMLET_STORAGE_WAL_WAL_H_
