// The database: the head (recent samples in memory), its write-ahead log
// and the immutable blocks on disk, behind storage::Appendable and
// storage::Queryable.
//
//   DBOptions opts;                           // 2 h blocks, 15 d retention
//   ASSIGN_OR_RETURN(std::unique_ptr<DB> db, DB::Open(base::Env::Default(), dir, opts));
//   auto app = db->NewAppender();
//   ASSIGN_OR_RETURN(SeriesRef ref, app->Append(0, labels, t, v));
//   RETURN_IF_ERROR(app->Commit());          // in the WAL (write(2)) before it returns
//   ASSIGN_OR_RETURN(auto q, db->NewQuerier());  // head + blocks, merged
//   ...
//   RETURN_IF_ERROR(db->Close());
//
// Layout of `dir`: wal/ (storage/wal), one <ULID>/ per block (storage/block),
// chunks_head/ (full head chunks, a cache rebuilt from the WAL).
// Open replays the WAL (repairing a torn tail) after opening the blocks.
// Compact() — run every compaction_interval by a background thread, or by
// the caller — cuts the head into a block once it spans more than 1.5 block
// ranges, checkpoints and truncates the WAL, compacts adjacent blocks and
// applies retention. DeleteSeries records tombstones (`tombstones`, see
// docs/format/tombstones.md) that every querier applies; CleanTombstones
// rewrites the blocks under them. When the disk fills, commits fail with
// ResourceExhausted and the DB reports read_only until a commit succeeds
// again; nothing committed is lost and no file is left corrupt.
#ifndef PROMLET_STORAGE_DB_DB_H_
#define PROMLET_STORAGE_DB_DB_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/env.h"
#include "storage/api/appender.h"
#include "storage/api/querier.h"
#include "storage/block/block_reader.h"
#include "storage/db/tombstones.h"
#include "storage/head/head.h"
#include "storage/index/cardinality.h"
#include "storage/wal/wal.h"
#include "storage/wal/wal_reader.h"

namespace promlet::storage::db {

struct DBOptions {
  int64_t block_range_ms = 2 * 3600 * 1000;
  // Retention by time (0: none) and by bytes of blocks + WAL (0: none).
  int64_t retention_ms = 15LL * 24 * 3600 * 1000;
  uint64_t retention_bytes = 0;
  int samples_per_chunk = 120;
  // Full head chunks in page files under chunks_head/ (out of RSS until
  // read) rather than anonymous memory. A cache: the WAL is the truth.
  bool head_chunks_on_disk = true;
  // Segment size and fsync policy (default: fdatasync every second and on
  // segment close, so a power loss loses at most ~1 s; a killed process
  // loses nothing committed).
  wal::WalOptions wal;
  // Background Compact() period; zero: only when the caller calls Compact().
  absl::Duration compaction_interval = absl::Minutes(1);
};

// Counters for /metrics. Snapshot; see Stats().
struct DBStats {
  head::HeadStats head;
  wal::WalStats wal;
  wal::ReplayStats replay;
  uint64_t replay_series = 0;
  uint64_t replay_samples = 0;
  uint64_t replay_skipped_samples = 0;  // older than blocks / out of order
  uint64_t replay_unknown_refs = 0;     // samples of series never logged
  uint64_t replay_bad_records = 0;      // undecodable record contents (skipped)
  uint64_t num_blocks = 0;
  uint64_t blocks_bytes = 0;
  uint64_t head_blocks_written = 0;     // blocks cut from the head
  uint64_t compactions = 0;
  uint64_t compaction_failures = 0;
  uint64_t checkpoints = 0;
  uint64_t retention_deleted_blocks = 0;
  uint64_t tombstoned_series = 0;       // series with deleted intervals now
  uint64_t tombstone_blocks_rewritten = 0;  // by CleanTombstones
  uint64_t commits = 0;
  uint64_t commit_failures = 0;         // WAL write failed; batch rolled back
  uint64_t disk_full_errors = 0;
  bool read_only = false;               // the last WAL write hit a full disk
};

// Thread-safe.
class DB : public Appendable, public Queryable {
 public:
  // `env` is borrowed and must outlive the DB. Errors: I/O errors from
  // env (an unreadable data dir); a damaged WAL tail or a corrupt block is
  // repaired or moved aside, never an error.
  static absl::StatusOr<std::unique_ptr<DB>> Open(base::Env* env, std::string dir,
                                                  DBOptions options);
  ~DB() override;
  DB(const DB&) = delete;
  DB& operator=(const DB&) = delete;

  std::unique_ptr<Appender> NewAppender() override;
  absl::StatusOr<std::unique_ptr<Querier>> NewQuerier() override;

  // One round of maintenance (see the file comment). Errors are also
  // counted; a failed step leaves the data where it was.
  absl::Status Compact();
  // Deletes, like Prometheus's delete_series, the samples in [mint, maxt]
  // (inclusive) of the series matching `matchers` now (at least one matcher
  // must not match the empty string). Series created later, and samples
  // appended later, are not affected. Durable when it returns OK: the
  // tombstones file is replaced first. Errors: InvalidArgument (mint >
  // maxt), the querier's, I/O (nothing deleted then).
  absl::Status DeleteSeries(const Matchers& matchers, int64_t mint_ms, int64_t maxt_ms);
  // Rewrites each block holding samples under a tombstone without them,
  // then keeps only the tombstones that still hide head samples.
  absl::Status CleanTombstones();
  // The tombstones now (never null).
  std::shared_ptr<const TombstoneSet> Tombstones() const;
  // Stops the background thread and closes the WAL (syncing it). Appenders
  // fail afterwards with Unavailable.
  absl::Status Close();

  DBStats Stats() const;
  // Cardinality of the head (the series being written now).
  index::CardinalityStats HeadCardinality(size_t top_n) const {
    return head_->Cardinality(top_n);
  }
  head::Head* head() { return head_.get(); }
  bool read_only() const { return read_only_.load(std::memory_order_relaxed); }
  // Oldest and newest sample time over blocks and head; min > max if empty.
  int64_t MinTime() const;
  int64_t MaxTime() const;
  const std::string& dir() const { return dir_; }

 private:
  friend class DBAppender;
  using BlockList = std::vector<std::shared_ptr<block::BlockReader>>;

  DB(base::Env* env, std::string dir, DBOptions options);
  absl::Status Replay();
  absl::Status CutHeadBlocks();
  absl::Status TruncateWal(int64_t mint);
  absl::Status CompactBlocks();
  absl::Status ApplyRetention();
  BlockList Blocks() const;
  void ReplaceBlock(const std::string& old_ulid, std::shared_ptr<block::BlockReader> fresh);
  absl::Status LoadTombstones();
  absl::Status PublishTombstones(TombstoneSet set) ABSL_EXCLUSIVE_LOCKS_REQUIRED(compact_mu_);
  void BackgroundLoop();
  // Called by appenders after each WAL write.
  void NoteWalResult(const absl::Status& status);

  base::Env* const env_;
  const std::string dir_;
  const DBOptions options_;
  std::unique_ptr<head::Head> head_;
  std::unique_ptr<wal::Wal> wal_;  // set by Open; null after Close

  // Serialises commits so WAL order equals head order; guards the
  // wal_logged flags of series.
  mutable absl::Mutex commit_mu_;
  bool closed_ ABSL_GUARDED_BY(commit_mu_) = false;

  mutable absl::Mutex blocks_mu_;
  BlockList blocks_ ABSL_GUARDED_BY(blocks_mu_);  // sorted by min time

  // One Compact(), DeleteSeries() or CleanTombstones() at a time.
  absl::Mutex compact_mu_;

  // Replaced whole (copy on write) under compact_mu_. Queriers take it
  // before the blocks, and CleanTombstones swaps the blocks before it drops
  // tombstones: an old, unrewritten block is never read without them.
  mutable absl::Mutex tombstones_mu_;
  std::shared_ptr<const TombstoneSet> tombstones_ ABSL_GUARDED_BY(tombstones_mu_);

  absl::Mutex stop_mu_;
  bool stop_ ABSL_GUARDED_BY(stop_mu_) = false;
  std::thread background_;

  std::atomic<bool> read_only_{false};
  struct Counters {
    std::atomic<uint64_t> replay_series{0}, replay_samples{0}, replay_skipped_samples{0},
        replay_unknown_refs{0}, replay_bad_records{0}, head_blocks_written{0}, compactions{0},
        compaction_failures{0}, checkpoints{0}, retention_deleted_blocks{0}, commits{0},
        commit_failures{0}, disk_full_errors{0}, tombstone_blocks_rewritten{0};
  };
  mutable Counters counters_;
  wal::ReplayStats replay_stats_;  // written by Open only
};

}  // namespace promlet::storage::db

#endif  // PROMLET_STORAGE_DB_DB_H_
