#include "storage/db/db_querier.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "storage/block/merge.h"

namespace promlet::storage::db {
namespace {

// Keeps the blocks alive as long as the merged set reads them, and skips
// series with no sample in [mint, maxt] (a block chunk can overlap the range
// by its bounds and still have no sample inside).
class OwningSeriesSet : public SeriesSet {
 public:
  OwningSeriesSet(std::unique_ptr<SeriesSet> inner,
                  std::vector<std::shared_ptr<block::BlockReader>> blocks)
      : blocks_(std::move(blocks)), inner_(std::move(inner)) {}
  bool Next() override {
    while (inner_->Next()) {
      std::unique_ptr<SeriesIterator> it = inner_->At().NewIterator();
      if (it->Next() || !it->status().ok()) return true;
    }
    return false;
  }
  const Series& At() const override { return inner_->At(); }
  absl::Status status() const override { return inner_->status(); }

 private:
  std::vector<std::shared_ptr<block::BlockReader>> blocks_;  // destroyed after inner_
  std::unique_ptr<SeriesSet> inner_;
};

void MergeSorted(std::vector<std::string>* acc, std::vector<std::string> more) {
  std::vector<std::string> out;
  out.reserve(acc->size() + more.size());
  std::set_union(std::make_move_iterator(acc->begin()), std::make_move_iterator(acc->end()),
                 std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()),
                 std::back_inserter(out));
  *acc = std::move(out);
}

}  // namespace

std::vector<std::shared_ptr<block::BlockReader>> DBQuerier::Overlapping(int64_t mint_ms,
                                                                        int64_t maxt_ms) const {
  std::vector<std::shared_ptr<block::BlockReader>> out;
  for (const auto& b : blocks_) {
    // Blocks cover [min_time, max_time).
    if (mint_ms < b->meta().max_time_ms && maxt_ms >= b->meta().min_time_ms) out.push_back(b);
  }
  return out;
}

std::unique_ptr<SeriesSet> DBQuerier::Select(int64_t mint_ms, int64_t maxt_ms,
                                             const Matchers& matchers) {
  return ApplyTombstones(SelectUnfiltered(mint_ms, maxt_ms, matchers), tombstones_);
}

std::unique_ptr<SeriesSet> DBQuerier::SelectUnfiltered(int64_t mint_ms, int64_t maxt_ms,
                                                       const Matchers& matchers) {
  std::vector<std::shared_ptr<block::BlockReader>> blocks = Overlapping(mint_ms, maxt_ms);
  std::unique_ptr<SeriesSet> head_set = head_->Select(mint_ms, maxt_ms, matchers);
  if (blocks.empty()) return head_set;
  std::vector<std::unique_ptr<SeriesSet>> sets;
  sets.push_back(std::move(head_set));  // first: wins on equal timestamps
  // Newest block first, so a re-imported overlap prefers newer data.
  for (auto it = blocks.rbegin(); it != blocks.rend(); ++it) {
    sets.push_back((*it)->Select(mint_ms, maxt_ms, matchers));
  }
  return std::make_unique<OwningSeriesSet>(block::MergeSeriesSets(std::move(sets)),
                                           std::move(blocks));
}

absl::StatusOr<std::vector<std::string>> DBQuerier::LabelNames(int64_t mint_ms, int64_t maxt_ms,
                                                               const Matchers& matchers) {
  ASSIGN_OR_RETURN(std::vector<std::string> out, head_->LabelNames(mint_ms, maxt_ms, matchers));
  for (const auto& b : Overlapping(mint_ms, maxt_ms)) {
    ASSIGN_OR_RETURN(std::vector<std::string> more, b->LabelNames(mint_ms, maxt_ms, matchers));
    MergeSorted(&out, std::move(more));
  }
  DropDeleted(&out, "", mint_ms, maxt_ms, matchers);
  return out;
}

absl::StatusOr<std::vector<std::string>> DBQuerier::LabelValues(const std::string& name,
                                                                int64_t mint_ms, int64_t maxt_ms,
                                                                const Matchers& matchers) {
  ASSIGN_OR_RETURN(std::vector<std::string> out,
                   head_->LabelValues(name, mint_ms, maxt_ms, matchers));
  for (const auto& b : Overlapping(mint_ms, maxt_ms)) {
    ASSIGN_OR_RETURN(std::vector<std::string> more,
                     b->LabelValues(name, mint_ms, maxt_ms, matchers));
    MergeSorted(&out, std::move(more));
  }
  DropDeleted(&out, name, mint_ms, maxt_ms, matchers);
  return out;
}

void DBQuerier::DropDeleted(std::vector<std::string>* names_or_values, const std::string& name,
                            int64_t mint_ms, int64_t maxt_ms, const Matchers& matchers) {
  if (tombstones_ == nullptr || tombstones_->empty()) return;
  // Only what a tombstoned series carries can have lost its last sample;
  // each such candidate is kept if a Select with it still finds a series.
  absl::flat_hash_set<std::string, base::StringHash, base::StringEq> suspects;
  for (const auto& [labels, intervals] : tombstones_->entries()) {
    for (const Label& l : labels) {
      if (name.empty()) {
        suspects.insert(std::string(l.name));
      } else if (l.name == name) {
        suspects.insert(std::string(l.value));
      }
    }
  }
  std::erase_if(*names_or_values, [&](const std::string& x) {
    if (!suspects.contains(x)) return false;
    Matchers ms = matchers;
    absl::StatusOr<Matcher> m = name.empty() ? Matcher::Make(MatchType::kRegexMatch, x, ".+")
                                             : Matcher::Make(MatchType::kEqual, name, x);
    if (!m.ok()) return false;
    ms.push_back(*std::move(m));
    std::unique_ptr<SeriesSet> set = Select(mint_ms, maxt_ms, ms);
    return !set->Next() && set->status().ok();
  });
}

}  // namespace promlet::storage::db
