#include "storage/db/db.h"

#include <algorithm>
#include <limits>

#include "base/logging.h"
#include "base/status_macros.h"
#include "storage/block/block_writer.h"
#include "storage/block/compactor.h"
#include "storage/db/db_appender.h"
#include "storage/db/db_querier.h"
#include "storage/wal/record.h"

namespace promlet::storage::db {

DB::DB(base::Env* env, std::string dir, DBOptions options)
    : env_(env), dir_(std::move(dir)), options_(options) {
  head::HeadOptions ho;
  ho.chunk_range_ms = options_.block_range_ms;
  ho.samples_per_chunk = options_.samples_per_chunk;
  if (options_.head_chunks_on_disk) ho.chunk_dir = base::JoinPath(dir_, "chunks_head");
  head_ = std::make_unique<head::Head>(ho);
  tombstones_ = std::make_shared<const TombstoneSet>();
}

absl::StatusOr<std::unique_ptr<DB>> DB::Open(base::Env* env, std::string dir, DBOptions options) {
  if (options.block_range_ms <= 0) return absl::InvalidArgumentError("block range must be > 0");
  RETURN_IF_ERROR(env->CreateDirs(dir));
  if (options.head_chunks_on_disk) {
    RETURN_IF_ERROR(env->CreateDirs(base::JoinPath(dir, "chunks_head")));
  }
  std::unique_ptr<DB> db(new DB(env, std::move(dir), options));
  RETURN_IF_ERROR(block::RemoveTmpDirs(db->dir_, env));
  ASSIGN_OR_RETURN(std::vector<std::unique_ptr<block::BlockReader>> blocks,
                   block::OpenBlocks(db->dir_, env));
  int64_t blocks_maxt = std::numeric_limits<int64_t>::min();
  {
    absl::MutexLock lock(&db->blocks_mu_);
    for (auto& b : blocks) {
      blocks_maxt = std::max(blocks_maxt, b->meta().max_time_ms);
      db->blocks_.push_back(std::move(b));
    }
    std::sort(db->blocks_.begin(), db->blocks_.end(), [](const auto& a, const auto& b) {
      return a->meta().min_time_ms < b->meta().min_time_ms;
    });
  }
  // Samples older than the newest block are in blocks already (the WAL
  // checkpoint may still hold some): the head starts where blocks end.
  if (blocks_maxt != std::numeric_limits<int64_t>::min()) db->head_->Truncate(blocks_maxt);
  RETURN_IF_ERROR(db->LoadTombstones());
  RETURN_IF_ERROR(db->Replay());
  ASSIGN_OR_RETURN(db->wal_, wal::Wal::Open(env, base::JoinPath(db->dir_, "wal"), options.wal));
  if (options.compaction_interval > absl::ZeroDuration()) {
    db->background_ = std::thread([d = db.get()] { d->BackgroundLoop(); });
  }
  return db;
}

absl::Status DB::Replay() {
  std::vector<wal::RefSeries> series;
  std::vector<wal::RefSample> samples;
  auto& c = counters_;
  absl::Status st = wal::ReplayWal(
      env_, base::JoinPath(dir_, "wal"),
      [&](std::string_view rec) -> absl::Status {
        switch (wal::GetRecordType(rec)) {
          case wal::RecordType::kSeries:
            if (!wal::DecodeSeries(rec, &series).ok()) {
              c.replay_bad_records.fetch_add(1, std::memory_order_relaxed);
              break;
            }
            for (const wal::RefSeries& s : series) {
              if (s.ref == 0 || s.ref > std::numeric_limits<uint32_t>::max() ||
                  !head_->ReplaySeries(static_cast<uint32_t>(s.ref), s.labels).ok()) {
                c.replay_bad_records.fetch_add(1, std::memory_order_relaxed);
                continue;
              }
              c.replay_series.fetch_add(1, std::memory_order_relaxed);
            }
            break;
          case wal::RecordType::kSamples:
            if (!wal::DecodeSamples(rec, &samples).ok()) {
              c.replay_bad_records.fetch_add(1, std::memory_order_relaxed);
              break;
            }
            for (const wal::RefSample& s : samples) {
              absl::Status as = s.ref > std::numeric_limits<uint32_t>::max()
                                    ? absl::NotFoundError("")
                                    : head_->ReplaySample(static_cast<uint32_t>(s.ref), s.t_ms,
                                                          s.value);
              if (as.ok()) {
                c.replay_samples.fetch_add(1, std::memory_order_relaxed);
              } else if (as.code() == absl::StatusCode::kNotFound) {
                c.replay_unknown_refs.fetch_add(1, std::memory_order_relaxed);
              } else {
                c.replay_skipped_samples.fetch_add(1, std::memory_order_relaxed);
              }
            }
            break;
          default:
            // Tombstones: promlet has no delete API yet; nothing writes them.
            break;
        }
        return absl::OkStatus();
      },
      &replay_stats_);
  RETURN_IF_ERROR(st);
  LOG_INFO("wal replay done", "dir", dir_, "series", c.replay_series.load(), "samples",
           c.replay_samples.load(), "skipped", c.replay_skipped_samples.load(), "unknown_refs",
           c.replay_unknown_refs.load(), "corruptions_repaired", replay_stats_.corruptions);
  return absl::OkStatus();
}

DB::~DB() {
  absl::Status st = Close();
  if (!st.ok()) LOG_WARN("db close failed", "dir", dir_, "err", st.ToString());
}

absl::Status DB::Close() {
  {
    absl::MutexLock lock(&stop_mu_);
    stop_ = true;
  }
  if (background_.joinable()) background_.join();
  absl::MutexLock lock(&commit_mu_);
  if (closed_) return absl::OkStatus();
  closed_ = true;
  if (wal_ == nullptr) return absl::OkStatus();
  absl::Status st = wal_->Close();
  wal_.reset();
  return st;
}

void DB::BackgroundLoop() {
  for (;;) {
    {
      absl::MutexLock lock(&stop_mu_);
      auto stopped = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(stop_mu_) { return stop_; };
      if (stop_mu_.AwaitWithTimeout(absl::Condition(&stopped), options_.compaction_interval)) {
        return;
      }
    }
    absl::Status st = Compact();
    if (!st.ok()) LOG_WARN("db maintenance failed", "dir", dir_, "err", st.ToString());
  }
}

std::unique_ptr<Appender> DB::NewAppender() { return std::make_unique<DBAppender>(this); }

absl::StatusOr<std::unique_ptr<Querier>> DB::NewQuerier() {
  // Tombstones before blocks: see tombstones_.
  std::shared_ptr<const TombstoneSet> tombstones = Tombstones();
  return std::unique_ptr<Querier>(std::make_unique<DBQuerier>(
      std::make_unique<head::HeadQuerier>(head_.get()), Blocks(), std::move(tombstones)));
}

DB::BlockList DB::Blocks() const {
  absl::MutexLock lock(&blocks_mu_);
  return blocks_;
}

void DB::NoteWalResult(const absl::Status& status) {
  auto& c = counters_;
  if (status.ok()) {
    c.commits.fetch_add(1, std::memory_order_relaxed);
    if (read_only_.exchange(false, std::memory_order_relaxed)) {
      LOG_INFO("disk space is back: database writable again", "dir", dir_);
    }
    return;
  }
  c.commit_failures.fetch_add(1, std::memory_order_relaxed);
  if (status.code() == absl::StatusCode::kResourceExhausted) {
    c.disk_full_errors.fetch_add(1, std::memory_order_relaxed);
    if (!read_only_.exchange(true, std::memory_order_relaxed)) {
      LOG_ERROR("disk full: database is read-only until space is freed", "dir", dir_, "err",
                status.ToString());
    }
  }
}

int64_t DB::MinTime() const {
  int64_t m = head_->MinTime();
  for (const auto& b : Blocks()) m = std::min(m, b->meta().min_time_ms);
  return m;
}

int64_t DB::MaxTime() const {
  int64_t m = head_->MaxTime();
  for (const auto& b : Blocks()) m = std::max(m, b->meta().max_time_ms - 1);
  return m;
}

DBStats DB::Stats() const {
  DBStats s;
  s.head = head_->Stats();
  {
    absl::MutexLock lock(&commit_mu_);
    if (wal_ != nullptr) s.wal = wal_->stats();
  }
  s.replay = replay_stats_;
  const auto& c = counters_;
  s.replay_series = c.replay_series.load(std::memory_order_relaxed);
  s.replay_samples = c.replay_samples.load(std::memory_order_relaxed);
  s.replay_skipped_samples = c.replay_skipped_samples.load(std::memory_order_relaxed);
  s.replay_unknown_refs = c.replay_unknown_refs.load(std::memory_order_relaxed);
  s.replay_bad_records = c.replay_bad_records.load(std::memory_order_relaxed);
  s.head_blocks_written = c.head_blocks_written.load(std::memory_order_relaxed);
  s.compactions = c.compactions.load(std::memory_order_relaxed);
  s.compaction_failures = c.compaction_failures.load(std::memory_order_relaxed);
  s.checkpoints = c.checkpoints.load(std::memory_order_relaxed);
  s.retention_deleted_blocks = c.retention_deleted_blocks.load(std::memory_order_relaxed);
  s.commits = c.commits.load(std::memory_order_relaxed);
  s.commit_failures = c.commit_failures.load(std::memory_order_relaxed);
  s.disk_full_errors = c.disk_full_errors.load(std::memory_order_relaxed);
  s.read_only = read_only();
  s.tombstoned_series = Tombstones()->size();
  s.tombstone_blocks_rewritten = c.tombstone_blocks_rewritten.load(std::memory_order_relaxed);
  for (const auto& b : Blocks()) {
    ++s.num_blocks;
    s.blocks_bytes += b->size_bytes();
  }
  return s;
}

}  // namespace promlet::storage::db
