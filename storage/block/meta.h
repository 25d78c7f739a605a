// Block identity and statistics (`meta.json`, docs/format/block.md) and
// ULIDs: 26-character Crockford base32 ids whose first 10 characters encode
// the creation time in ms, so block directories sort by age.
#ifndef PROMLET_STORAGE_BLOCK_META_H_
#define PROMLET_STORAGE_BLOCK_META_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "base/env.h"

namespace promlet::storage::block {

struct BlockStats {
  uint64_t num_series = 0;
  uint64_t num_samples = 0;
  uint64_t num_chunks = 0;
};

struct BlockMeta {
  std::string ulid;
  int64_t min_time_ms = 0;  // inclusive
  int64_t max_time_ms = 0;  // exclusive, like Prometheus
  BlockStats stats;
  int compaction_level = 1;
  std::vector<std::string> sources;  // ULIDs of the level-1 blocks merged in
};

// A new ULID for time `now_ms` with random low bits. Thread-safe.
std::string NewUlid(int64_t now_ms);
// True for a 26-character Crockford base32 string.
bool IsUlid(std::string_view s);

std::string MetaToJson(const BlockMeta& meta);
// DataLoss when the text is not a meta.json this package wrote.
absl::StatusOr<BlockMeta> MetaFromJson(std::string_view json);

absl::Status WriteMetaFile(const std::string& block_dir, const BlockMeta& meta,
                          base::Env* env = base::Env::Default());
absl::StatusOr<BlockMeta> ReadMetaFile(const std::string& block_dir);

}  // namespace promlet::storage::block

#endif  // PROMLET_STORAGE_BLOCK_META_H_
