// Deletion: DB::DeleteSeries records tombstones, DB::CleanTombstones
// rewrites the blocks under them (docs/format/tombstones.md).
#include <algorithm>

#include "base/logging.h"
#include "base/status_macros.h"
#include "storage/block/block_writer.h"
#include "storage/block/compactor.h"
#include "storage/db/db.h"
#include "storage/head/head_querier.h"

namespace promlet::storage::db {
namespace {

// Selects exactly the series with these labels.
Matchers ExactMatchers(const Labels& labels) {
  Matchers ms;
  for (const Label& l : labels) ms.push_back(Matcher::Equal(std::string(l.name), std::string(l.value)));
  return ms;
}

// The parts of `intervals` from the first sample `querier` holds in each
// of them: what is still to hide there.
absl::StatusOr<Intervals> StillCovering(Querier* querier, const Labels& series,
                                        const Intervals& intervals) {
  Intervals out;
  std::unique_ptr<SeriesSet> set = querier->Select(
      intervals.front().mint_ms, intervals.back().maxt_ms, ExactMatchers(series));
  if (set->Next()) {
    std::unique_ptr<SeriesIterator> it = set->At().NewIterator();
    for (const Interval& iv : intervals) {
      if (!it->Seek(iv.mint_ms)) break;
      if (it->At().t_ms <= iv.maxt_ms) out.push_back({it->At().t_ms, iv.maxt_ms});
    }
    RETURN_IF_ERROR(it->status());
  }
  RETURN_IF_ERROR(set->status());
  return out;
}

bool Overlaps(const block::BlockMeta& meta, const Intervals& intervals) {
  // Blocks cover [min_time, max_time).
  return intervals.front().mint_ms < meta.max_time_ms &&
         intervals.back().maxt_ms >= meta.min_time_ms;
}

// True if the block holds a sample under one of the tombstones.
absl::StatusOr<bool> HoldsDeleted(block::BlockReader* b, const TombstoneSet& tombstones) {
  for (const auto& [labels, intervals] : tombstones.entries()) {
    if (!Overlaps(b->meta(), intervals)) continue;
    ASSIGN_OR_RETURN(Intervals covering, StillCovering(b, labels, intervals));
    if (!covering.empty()) return true;
  }
  return false;
}

}  // namespace

std::shared_ptr<const TombstoneSet> DB::Tombstones() const {
  absl::MutexLock lock(&tombstones_mu_);
  return tombstones_;
}

absl::Status DB::LoadTombstones() {
  const std::string path = TombstonePath(dir_);
  if (env_->FileExists(path + ".tmp")) RETURN_IF_ERROR(env_->RemoveFile(path + ".tmp"));
  absl::StatusOr<TombstoneSet> set = ReadTombstoneFile(env_, path);
  if (!set.ok()) {
    if (set.status().code() != absl::StatusCode::kDataLoss) return set.status();
    LOG_ERROR("tombstones file corrupt: moved aside, deleted samples are visible again", "path",
              path, "err", set.status().ToString());
    RETURN_IF_ERROR(env_->Rename(path, path + ".corrupt"));
    RETURN_IF_ERROR(env_->SyncDir(dir_));
    set = TombstoneSet();
  }
  if (!set->empty()) LOG_INFO("tombstones loaded", "dir", dir_, "series", set->size());
  absl::MutexLock lock(&tombstones_mu_);
  tombstones_ = std::make_shared<const TombstoneSet>(*std::move(set));
  return absl::OkStatus();
}

absl::Status DB::PublishTombstones(TombstoneSet set) {
  // On disk first: a deletion that was answered survives a crash.
  RETURN_IF_ERROR(WriteTombstoneFile(env_, TombstonePath(dir_), set));
  auto shared = std::make_shared<const TombstoneSet>(std::move(set));
  absl::MutexLock lock(&tombstones_mu_);
  tombstones_ = std::move(shared);
  return absl::OkStatus();
}

absl::Status DB::DeleteSeries(const Matchers& matchers, int64_t mint_ms, int64_t maxt_ms) {
  if (mint_ms > maxt_ms) return absl::InvalidArgumentError("delete: start after end");
  if (std::all_of(matchers.begin(), matchers.end(),
                  [](const Matcher& m) { return m.MatchesEmpty(); })) {
    return absl::InvalidArgumentError("delete: need a matcher that does not match everything");
  }
  absl::MutexLock lock(&compact_mu_);
  TombstoneSet next = *Tombstones();
  ASSIGN_OR_RETURN(std::unique_ptr<Querier> q, NewQuerier());
  std::unique_ptr<SeriesSet> set = q->Select(mint_ms, maxt_ms, matchers);
  uint64_t series = 0;
  while (set->Next()) {
    // Only what exists now: from the series' first to its last sample in
    // range, so samples it appends later stay visible.
    std::unique_ptr<SeriesIterator> it = set->At().NewIterator();
    if (!it->Next()) {
      RETURN_IF_ERROR(it->status());
      continue;
    }
    Interval iv{it->At().t_ms, it->At().t_ms};
    while (it->Next()) iv.maxt_ms = it->At().t_ms;
    RETURN_IF_ERROR(it->status());
    next.Add(set->At().labels(), iv);
    ++series;
  }
  RETURN_IF_ERROR(set->status());
  if (series == 0) return absl::OkStatus();
  RETURN_IF_ERROR(PublishTombstones(std::move(next)));
  LOG_INFO("series deleted", "dir", dir_, "series", series, "mint", mint_ms, "maxt", maxt_ms);
  return absl::OkStatus();
}

void DB::ReplaceBlock(const std::string& old_ulid, std::shared_ptr<block::BlockReader> fresh) {
  absl::MutexLock lock(&blocks_mu_);
  std::erase_if(blocks_, [&](const auto& b) { return b->meta().ulid == old_ulid; });
  if (fresh != nullptr) blocks_.push_back(std::move(fresh));
  std::sort(blocks_.begin(), blocks_.end(), [](const auto& a, const auto& b) {
    return a->meta().min_time_ms < b->meta().min_time_ms;
  });
}

absl::Status DB::CleanTombstones() {
  absl::MutexLock lock(&compact_mu_);
  std::shared_ptr<const TombstoneSet> tombstones = Tombstones();
  if (tombstones->empty()) return absl::OkStatus();
  for (const std::shared_ptr<block::BlockReader>& b : Blocks()) {
    ASSIGN_OR_RETURN(bool dirty, HoldsDeleted(b.get(), *tombstones));
    if (!dirty) continue;
    const block::BlockMeta& old = b->meta();
    block::WriteBlockOptions opts;
    opts.compaction_level = old.compaction_level;
    opts.sources = old.sources;
    std::unique_ptr<SeriesSet> set =
        ApplyTombstones(b->SelectAll(INT64_MIN, INT64_MAX), tombstones);
    ASSIGN_OR_RETURN(block::BlockMeta meta,
                     block::WriteBlock(dir_, set.get(), old.min_time_ms, old.max_time_ms, opts));
    std::shared_ptr<block::BlockReader> fresh;
    if (!meta.ulid.empty()) {  // empty: every sample of the block was deleted
      ASSIGN_OR_RETURN(fresh, block::BlockReader::Open(base::JoinPath(dir_, meta.ulid)));
    }
    ReplaceBlock(old.ulid, std::move(fresh));
    // Queriers still reading the old block hold it open.
    RETURN_IF_ERROR(block::DeleteBlock(b->dir()));
    counters_.tombstone_blocks_rewritten.fetch_add(1, std::memory_order_relaxed);
    LOG_INFO("block rewritten without deleted samples", "old", old.ulid, "new", meta.ulid,
             "samples", meta.stats.num_samples);
  }
  // Blocks hold nothing deleted any more; what remains to hide is in the
  // head (no cut runs meanwhile: compact_mu_).
  TombstoneSet next;
  head::HeadQuerier head(head_.get());
  for (const auto& [labels, intervals] : tombstones->entries()) {
    ASSIGN_OR_RETURN(Intervals covering, StillCovering(&head, labels, intervals));
    next.Set(labels, std::move(covering));
  }
  RETURN_IF_ERROR(PublishTombstones(std::move(next)));
  LOG_INFO("tombstones cleaned", "dir", dir_, "series_before", tombstones->size(),
           "series_after", Tombstones()->size());
  return absl::OkStatus();
}

}  // namespace promlet::storage::db
