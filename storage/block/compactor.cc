#include "storage/block/compactor.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "base/logging.h"
#include "base/status_macros.h"
#include "storage/block/block_format.h"
#include "storage/block/block_writer.h"
#include "storage/block/file_util.h"
#include "storage/block/merge.h"

namespace promlet::storage::block {

std::vector<int64_t> CompactionRanges(int64_t block_range_ms, int64_t retention_ms) {
  std::vector<int64_t> r{block_range_ms};
  const int64_t limit = std::max(block_range_ms, retention_ms / 10);
  while (r.back() * 3 <= limit && r.size() < 10) r.push_back(r.back() * 3);
  return r;
}

std::vector<std::string> Compactor::Plan(const std::vector<BlockMeta>& blocks) const {
  std::vector<const BlockMeta*> b;
  for (const BlockMeta& m : blocks) b.push_back(&m);
  std::sort(b.begin(), b.end(), [](const BlockMeta* x, const BlockMeta* y) {
    return x->min_time_ms != y->min_time_ms ? x->min_time_ms < y->min_time_ms : x->ulid < y->ulid;
  });
  // 1. Overlapping blocks (e.g. backfill into a covered range) merge first.
  for (size_t i = 0; i + 1 < b.size(); ++i) {
    int64_t max = b[i]->max_time_ms;
    size_t j = i + 1;
    while (j < b.size() && b[j]->min_time_ms < max) {
      max = std::max(max, b[j]->max_time_ms);
      ++j;
    }
    if (j - i > 1) {
      std::vector<std::string> out;
      for (size_t k = i; k < j; ++k) out.push_back(b[k]->ulid);
      return out;
    }
  }
  if (b.size() < 2) return {};
  // 2. Leave the newest block alone (a chance for backups, like Prometheus).
  b.pop_back();
  const int64_t high = b.back()->min_time_ms;
  for (size_t ri = 1; ri < ranges_.size(); ++ri) {
    const int64_t r = ranges_[ri];
    size_t i = 0;
    while (i < b.size()) {
      int64_t start = b[i]->min_time_ms - (((b[i]->min_time_ms % r) + r) % r);
      size_t j = i;
      std::vector<std::string> group;
      while (j < b.size() && b[j]->min_time_ms >= start && b[j]->max_time_ms <= start + r) {
        group.push_back(b[j]->ulid);
        ++j;
      }
      if (j == i) {  // block wider than this range or misaligned
        ++i;
        continue;
      }
      // Prometheus selectDirs: the group spans the whole range, or newer
      // blocks exist past it, so nothing more will fall into it.
      const int64_t gmin = b[i]->min_time_ms, gmax = b[j - 1]->max_time_ms;
      if (group.size() > 1 && (gmax - gmin == r || gmax <= high)) return group;
      i = j;
    }
  }
  return {};
}

absl::StatusOr<BlockMeta> Compactor::Compact(const std::string& out_dir,
                                             const std::vector<std::string>& block_dirs) const {
  std::vector<std::unique_ptr<BlockReader>> readers;
  std::vector<std::unique_ptr<SeriesSet>> sets;
  int64_t mint = INT64_MAX, maxt = INT64_MIN;
  int level = 0;
  std::set<std::string> sources;
  // Newest first, so on equal timestamps the newer block's sample wins.
  for (auto it = block_dirs.rbegin(); it != block_dirs.rend(); ++it) {
    ASSIGN_OR_RETURN(std::unique_ptr<BlockReader> r, BlockReader::Open(*it));
    mint = std::min(mint, r->meta().min_time_ms);
    maxt = std::max(maxt, r->meta().max_time_ms);
    level = std::max(level, r->meta().compaction_level);
    sources.insert(r->meta().sources.begin(), r->meta().sources.end());
    sets.push_back(r->SelectAll(INT64_MIN, INT64_MAX));
    readers.push_back(std::move(r));
  }
  std::unique_ptr<SeriesSet> merged = MergeSeriesSets(std::move(sets));
  WriteBlockOptions opts;
  opts.env = env_;
  opts.compaction_level = level + 1;
  opts.sources.assign(sources.begin(), sources.end());
  ASSIGN_OR_RETURN(BlockMeta meta, WriteBlock(out_dir, merged.get(), mint, maxt, opts));
  LOG_INFO("compacted blocks", "sources", block_dirs.size(), "new_block", meta.ulid, "min_time",
           mint, "max_time", maxt, "series", meta.stats.num_series);
  return meta;
}

absl::StatusOr<std::vector<std::string>> ListBlockDirs(const std::string& data_dir) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(data_dir));
  std::vector<std::string> out;
  for (const std::string& n : names) {
    if (IsUlid(n) && PathExists(absl::StrCat(data_dir, "/", n, "/", kMetaFileName))) out.push_back(n);
  }
  return out;
}

absl::StatusOr<std::vector<std::unique_ptr<BlockReader>>> OpenBlocks(const std::string& data_dir,
                                                                     base::Env* env) {
  RETURN_IF_ERROR(RemoveTmpDirs(data_dir, env));
  ASSIGN_OR_RETURN(std::vector<std::string> names, ListBlockDirs(data_dir));
  std::vector<std::unique_ptr<BlockReader>> out;
  for (const std::string& n : names) {
    std::string dir = absl::StrCat(data_dir, "/", n);
    absl::StatusOr<std::unique_ptr<BlockReader>> r = BlockReader::Open(dir);
    if (absl::IsDataLoss(r.status())) {
      RETURN_IF_ERROR(MoveAsideCorrupt(dir, r.status(), env).status());
      continue;
    }
    if (!r.ok()) return r.status();
    out.push_back(std::move(*r));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a->meta().min_time_ms < b->meta().min_time_ms;
  });
  return out;
}

absl::Status DeleteBlock(const std::string& block_dir, base::Env* env) {
  std::string to = block_dir + kDeletedSuffix;
  RETURN_IF_ERROR(env->Rename(block_dir, to));
  return env->RemoveDirRecursive(to);
}

}  // namespace promlet::storage::block
