#include "storage/block/retention.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/logging.h"
#include "base/status_macros.h"
#include "storage/block/compactor.h"
#include "storage/block/file_util.h"

namespace promlet::storage::block {

std::vector<std::string> RetentionPlan(std::vector<BlockSize> blocks, const RetentionOptions& o) {
  std::sort(blocks.begin(), blocks.end(), [](const BlockSize& a, const BlockSize& b) {
    return a.meta.max_time_ms > b.meta.max_time_ms;  // newest first
  });
  std::vector<std::string> doomed;
  if (blocks.empty()) return doomed;
  const int64_t ref = o.reference_max_ms != 0 ? std::max(o.reference_max_ms, blocks[0].meta.max_time_ms)
                                              : blocks[0].meta.max_time_ms;
  uint64_t total = o.other_bytes;
  bool over = false;
  for (const BlockSize& b : blocks) {
    total += b.size_bytes;
    if (o.max_bytes != 0 && total > o.max_bytes) over = true;
    bool too_old = o.retention_ms != 0 && ref - b.meta.max_time_ms > o.retention_ms;
    if (over || too_old) doomed.push_back(b.meta.ulid);
  }
  std::reverse(doomed.begin(), doomed.end());  // oldest first
  return doomed;
}

absl::StatusOr<std::vector<std::string>> ApplyRetention(const std::string& data_dir,
                                                        const RetentionOptions& options,
                                                        base::Env* env) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, ListBlockDirs(data_dir));
  std::vector<BlockSize> blocks;
  for (const std::string& n : names) {
    std::string dir = absl::StrCat(data_dir, "/", n);
    absl::StatusOr<BlockMeta> m = ReadMetaFile(dir);
    if (!m.ok()) continue;  // OpenBlocks moves corrupt blocks aside
    blocks.push_back({std::move(*m), DirSizeBytes(dir)});
  }
  std::vector<std::string> doomed = RetentionPlan(std::move(blocks), options);
  for (const std::string& u : doomed) {
    RETURN_IF_ERROR(DeleteBlock(absl::StrCat(data_dir, "/", u), env));
    LOG_INFO("retention deleted block", "block", u);
  }
  return doomed;
}

}  // namespace promlet::storage::block
