// Merging of sorted SeriesSets (overlapping blocks, or head + blocks): one
// output series per distinct label set, its samples merged by time with
// duplicates removed (on equal timestamps the earlier set in the input
// vector wins).
#ifndef PROMLET_STORAGE_BLOCK_MERGE_H_
#define PROMLET_STORAGE_BLOCK_MERGE_H_

#include <memory>
#include <vector>

#include "storage/api/querier.h"

namespace promlet::storage::block {

// Takes ownership of the sets; the merged set keeps them alive.
std::unique_ptr<SeriesSet> MergeSeriesSets(std::vector<std::unique_ptr<SeriesSet>> sets);

}  // namespace promlet::storage::block

#endif  // PROMLET_STORAGE_BLOCK_MERGE_H_
