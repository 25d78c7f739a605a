// DB maintenance: head -> block cuts, WAL checkpoints, block compaction and
// retention (DB::Compact and its steps).
#include <algorithm>
#include <limits>

#include "base/logging.h"
#include "base/status_macros.h"
#include "storage/block/block_writer.h"
#include "storage/block/compactor.h"
#include "storage/block/retention.h"
#include "storage/db/db.h"
#include "storage/head/head_querier.h"
#include "storage/wal/checkpoint.h"

namespace promlet::storage::db {
namespace {

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if (a % b != 0 && a < 0) --q;
  return q;
}

}  // namespace

absl::Status DB::Compact() {
  absl::MutexLock lock(&compact_mu_);
  if (read_only()) return absl::OkStatus();  // nothing can be written now
  absl::Status st = CutHeadBlocks();
  if (st.ok()) st = CompactBlocks();
  if (st.ok()) st = ApplyRetention();
  if (!st.ok()) counters_.compaction_failures.fetch_add(1, std::memory_order_relaxed);
  return st;
}

absl::Status DB::CutHeadBlocks() {
  const int64_t range = options_.block_range_ms;
  for (;;) {
    const int64_t hmin = head_->MinTime(), hmax = head_->MaxTime();
    // Like Prometheus: cut once the head spans more than 1.5 block ranges,
    // leaving the newest ~half range (still being scraped) in memory.
    if (hmin > hmax || hmax - hmin <= range / 2 * 3) return absl::OkStatus();
    const int64_t mint = hmin;
    const int64_t maxt = (FloorDiv(mint, range) + 1) * range;
    head::HeadQuerier q(head_.get());
    ASSIGN_OR_RETURN(Matcher all, Matcher::Make(MatchType::kRegexMatch, "__name__", ".+"));
    // Deleted samples do not make it into the block.
    std::unique_ptr<SeriesSet> set = ApplyTombstones(q.Select(mint, maxt - 1, {all}), Tombstones());
    block::WriteBlockOptions wo;
    wo.env = env_;
    absl::StatusOr<block::BlockMeta> meta = block::WriteBlock(dir_, set.get(), mint, maxt, wo);
    if (!meta.ok()) {
      LOG_WARN("writing head block failed; data stays in the head", "dir", dir_, "mint", mint,
               "maxt", maxt, "err", meta.status().ToString());
      return meta.status();
    }
    if (!meta->ulid.empty()) {
      ASSIGN_OR_RETURN(std::unique_ptr<block::BlockReader> b,
                       block::BlockReader::Open(base::JoinPath(dir_, meta->ulid)));
      absl::MutexLock lock(&blocks_mu_);
      blocks_.push_back(std::move(b));
      std::sort(blocks_.begin(), blocks_.end(), [](const auto& a, const auto& b) {
        return a->meta().min_time_ms < b->meta().min_time_ms;
      });
      counters_.head_blocks_written.fetch_add(1, std::memory_order_relaxed);
      LOG_INFO("head block written", "block", meta->ulid, "mint", mint, "maxt", maxt, "series",
               meta->stats.num_series, "samples", meta->stats.num_samples);
    }
    head_->Truncate(maxt);
    RETURN_IF_ERROR(TruncateWal(maxt));
  }
}

absl::Status DB::TruncateWal(int64_t mint) {
  const std::string wal_dir = base::JoinPath(dir_, "wal");
  ASSIGN_OR_RETURN(int next, wal_->NextSegment());
  ASSIGN_OR_RETURN(std::vector<int> segs, wal::ListSegments(env_, wal_dir));
  const int to = next - 1;
  if (segs.empty() || segs.front() > to) return absl::OkStatus();
  auto keep = [this](SeriesRef ref) {
    return ref <= std::numeric_limits<uint32_t>::max() &&
           head_->series().ById(static_cast<uint32_t>(ref)) != nullptr;
  };
  ASSIGN_OR_RETURN(wal::CheckpointStats cs,
                   wal::Checkpoint(env_, wal_dir, segs.front(), to, keep, mint));
  RETURN_IF_ERROR(wal::RemoveSegmentsUpTo(env_, wal_dir, to));
  RETURN_IF_ERROR(wal::RemoveCheckpointsBefore(env_, wal_dir, to));
  counters_.checkpoints.fetch_add(1, std::memory_order_relaxed);
  LOG_INFO("wal checkpoint", "dir", wal_dir, "checkpoint", cs.index, "series_kept",
           cs.series_kept, "samples_kept", cs.samples_kept, "samples_dropped",
           cs.samples_dropped);
  return absl::OkStatus();
}

absl::Status DB::CompactBlocks() {
  // Without a time limit, grow blocks up to 27 block ranges (54 h by
  // default), as if retention were 270 ranges.
  const int64_t retention_for_ranges =
      options_.retention_ms > 0 ? options_.retention_ms : options_.block_range_ms * 270;
  block::Compactor compactor(
      block::CompactionRanges(options_.block_range_ms, retention_for_ranges), env_);
  for (;;) {
    BlockList blocks = Blocks();
    std::vector<block::BlockMeta> metas;
    for (const auto& b : blocks) metas.push_back(b->meta());
    const std::vector<std::string> plan = compactor.Plan(metas);
    if (plan.empty()) return absl::OkStatus();
    std::vector<std::string> dirs;
    for (const std::string& ulid : plan) dirs.push_back(base::JoinPath(dir_, ulid));
    ASSIGN_OR_RETURN(block::BlockMeta meta, compactor.Compact(dir_, dirs));
    std::unique_ptr<block::BlockReader> merged;
    if (!meta.ulid.empty()) {
      ASSIGN_OR_RETURN(merged, block::BlockReader::Open(base::JoinPath(dir_, meta.ulid)));
    }
    {
      absl::MutexLock lock(&blocks_mu_);
      std::erase_if(blocks_, [&](const auto& b) {
        return std::find(plan.begin(), plan.end(), b->meta().ulid) != plan.end();
      });
      if (merged != nullptr) blocks_.push_back(std::move(merged));
      std::sort(blocks_.begin(), blocks_.end(), [](const auto& a, const auto& b) {
        return a->meta().min_time_ms < b->meta().min_time_ms;
      });
    }
    // Queriers still reading a source hold it open; the files go now (their
    // mappings stay valid until unmapped).
    for (const std::string& d : dirs) RETURN_IF_ERROR(block::DeleteBlock(d, env_));
    counters_.compactions.fetch_add(1, std::memory_order_relaxed);
    LOG_INFO("blocks compacted", "into", meta.ulid, "sources", plan.size());
  }
}

absl::Status DB::ApplyRetention() {
  if (options_.retention_ms <= 0 && options_.retention_bytes == 0) return absl::OkStatus();
  BlockList blocks = Blocks();
  if (blocks.empty()) return absl::OkStatus();
  std::vector<block::BlockSize> sizes;
  int64_t newest = head_->MaxTime();
  for (const auto& b : blocks) {
    sizes.push_back({b->meta(), b->size_bytes()});
    newest = std::max(newest, b->meta().max_time_ms);
  }
  block::RetentionOptions ro;
  ro.retention_ms = options_.retention_ms;
  ro.max_bytes = options_.retention_bytes;
  ro.reference_max_ms = newest;
  const std::string wal_dir = base::JoinPath(dir_, "wal");
  if (absl::StatusOr<std::vector<std::string>> names = env_->ListDir(wal_dir); names.ok()) {
    for (const std::string& n : *names) {
      if (absl::StatusOr<uint64_t> sz = env_->FileSize(base::JoinPath(wal_dir, n)); sz.ok()) {
        ro.other_bytes += *sz;
      }
    }
  }
  const std::vector<std::string> doomed = block::RetentionPlan(std::move(sizes), ro);
  if (doomed.empty()) return absl::OkStatus();
  {
    absl::MutexLock lock(&blocks_mu_);
    std::erase_if(blocks_, [&](const auto& b) {
      return std::find(doomed.begin(), doomed.end(), b->meta().ulid) != doomed.end();
    });
  }
  for (const std::string& ulid : doomed) {
    RETURN_IF_ERROR(block::DeleteBlock(base::JoinPath(dir_, ulid), env_));
    counters_.retention_deleted_blocks.fetch_add(1, std::memory_order_relaxed);
    LOG_INFO("block deleted by retention", "block", ulid);
  }
  return absl::OkStatus();
}

}  // namespace promlet::storage::db
