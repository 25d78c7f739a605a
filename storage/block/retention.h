// Retention by time and by size: whole blocks are deleted, oldest first.
#ifndef PROMLET_STORAGE_BLOCK_RETENTION_H_
#define PROMLET_STORAGE_BLOCK_RETENTION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/env.h"
#include "storage/block/meta.h"

namespace promlet::storage::block {

struct RetentionOptions {
  int64_t retention_ms = 15LL * 24 * 3600 * 1000;  // 0: no time limit
  uint64_t max_bytes = 0;                           // 0: no size limit
  // Bytes the DB holds outside blocks (WAL, head chunks), counted first.
  uint64_t other_bytes = 0;
  // Newest time the DB holds (e.g. the head's max time); 0 = newest block's.
  int64_t reference_max_ms = 0;
};

struct BlockSize {
  BlockMeta meta;
  uint64_t size_bytes = 0;
};

// ULIDs to delete, oldest first. A block goes by time when it ends more
// than retention before the reference time (Prometheus semantics: newest
// max time minus the block's max time > retention), by size when it and
// everything newer exceed max_bytes.
std::vector<std::string> RetentionPlan(std::vector<BlockSize> blocks, const RetentionOptions& options);

// Plans over the blocks under data_dir and deletes them; returns the ULIDs deleted.
absl::StatusOr<std::vector<std::string>> ApplyRetention(const std::string& data_dir,
                                                        const RetentionOptions& options,
                                                        base::Env* env = base::Env::Default());

}  // namespace promlet::storage::block

#endif  // PROMLET_STORAGE_BLOCK_RETENTION_H_
