// The DB's querier: the head's and each overlapping block's answers merged
// by labels, with samples of equal timestamps deduplicated (the head wins),
// and the samples under the DB's tombstones (delete_series) left out.
// Holds the blocks it reads (shared_ptr), so compaction and retention can
// drop them from the DB meanwhile.
#ifndef PROMLET_STORAGE_DB_DB_QUERIER_H_
#define PROMLET_STORAGE_DB_DB_QUERIER_H_

#include <memory>
#include <string>
#include <vector>

#include "storage/api/querier.h"
#include "storage/block/block_reader.h"
#include "storage/db/tombstones.h"
#include "storage/head/head_querier.h"

namespace promlet::storage::db {

// Thread-compatible.
class DBQuerier : public Querier {
 public:
  DBQuerier(std::unique_ptr<head::HeadQuerier> head,
            std::vector<std::shared_ptr<block::BlockReader>> blocks,
            std::shared_ptr<const TombstoneSet> tombstones = nullptr)
      : head_(std::move(head)), blocks_(std::move(blocks)), tombstones_(std::move(tombstones)) {}

  std::unique_ptr<SeriesSet> Select(int64_t mint_ms, int64_t maxt_ms,
                                    const Matchers& matchers) override;
  absl::StatusOr<std::vector<std::string>> LabelNames(int64_t mint_ms, int64_t maxt_ms,
                                                      const Matchers& matchers) override;
  absl::StatusOr<std::vector<std::string>> LabelValues(const std::string& name,
                                                       int64_t mint_ms, int64_t maxt_ms,
                                                       const Matchers& matchers) override;

 private:
  std::vector<std::shared_ptr<block::BlockReader>> Overlapping(int64_t mint_ms,
                                                               int64_t maxt_ms) const;
  std::unique_ptr<SeriesSet> SelectUnfiltered(int64_t mint_ms, int64_t maxt_ms,
                                              const Matchers& matchers);
  // Drops the names (values of `name`, when non-empty) that only
  // fully-deleted series carry.
  void DropDeleted(std::vector<std::string>* names_or_values, const std::string& name,
                   int64_t mint_ms, int64_t maxt_ms, const Matchers& matchers);

  std::unique_ptr<head::HeadQuerier> head_;
  std::vector<std::shared_ptr<block::BlockReader>> blocks_;
  std::shared_ptr<const TombstoneSet> tombstones_;  // null or empty: none
};

}  // namespace promlet::storage::db

#endif  // PROMLET_STORAGE_DB_DB_QUERIER_H_
