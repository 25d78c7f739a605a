// Compaction planning and execution, block listing and deletion.
//
// Ranges grow ×3 from the block range (2 h, 6 h, 18 h, ...) up to 10% of
// the retention, like Prometheus (`tsdb/compact.go` ExponentialBlockRanges).
// Plan() returns the ULIDs of the next blocks to merge: overlapping blocks
// first, then adjacent blocks that fill an aligned larger range (or whose
// range newer data has already passed). Compact() merges them with
// duplicates removed and writes one block of level max+1; the caller then
// deletes the sources with DeleteBlock().
#ifndef PROMLET_STORAGE_BLOCK_COMPACTOR_H_
#define PROMLET_STORAGE_BLOCK_COMPACTOR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/env.h"
#include "storage/block/block_reader.h"
#include "storage/block/meta.h"

namespace promlet::storage::block {

inline constexpr int64_t kDefaultBlockRangeMs = 2 * 3600 * 1000;

// {block_range, ×3, ×9, ...} while <= max(block_range, retention/10).
std::vector<int64_t> CompactionRanges(int64_t block_range_ms, int64_t retention_ms);

// Thread-compatible.
class Compactor {
 public:
  // `env` (borrowed) writes the merged block.
  explicit Compactor(std::vector<int64_t> ranges_ms, base::Env* env = base::Env::Default())
      : ranges_(std::move(ranges_ms)), env_(env) {}

  // ULIDs of the blocks to compact next (>= 2), or empty for nothing to do.
  std::vector<std::string> Plan(const std::vector<BlockMeta>& blocks) const;

  // Merges the blocks in `block_dirs` into a new block under `out_dir`.
  // Sources are left in place. Errors: the readers' DataLoss, I/O.
  absl::StatusOr<BlockMeta> Compact(const std::string& out_dir,
                                    const std::vector<std::string>& block_dirs) const;

 private:
  std::vector<int64_t> ranges_;
  base::Env* env_;
};

// Sorted names of the block directories (ULID names) under data_dir.
absl::StatusOr<std::vector<std::string>> ListBlockDirs(const std::string& data_dir);

// Opens every block under data_dir, oldest first. Blocks failing with
// DataLoss are moved aside (<ULID>.corrupt, logged) and skipped; leftover
// tmp directories are removed.
absl::StatusOr<std::vector<std::unique_ptr<BlockReader>>> OpenBlocks(
    const std::string& data_dir, base::Env* env = base::Env::Default());

// Renames the block to <ULID>.deleted, then removes it: a crash in between
// leaves no half block that could be opened.
absl::Status DeleteBlock(const std::string& block_dir, base::Env* env = base::Env::Default());

}  // namespace promlet::storage::block

#endif  // PROMLET_STORAGE_BLOCK_COMPACTOR_H_
