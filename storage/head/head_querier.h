// Querier over the head: matchers resolve through MemPostings; each selected
// series' chunks are snapshotted (full chunks by reference, the open chunk
// copied) so reading never blocks appends.
#ifndef PROMLET_STORAGE_HEAD_HEAD_QUERIER_H_
#define PROMLET_STORAGE_HEAD_HEAD_QUERIER_H_

#include <memory>
#include <string>
#include <vector>

#include "storage/api/querier.h"
#include "storage/head/chunk_series.h"
#include "storage/head/head.h"

namespace promlet::storage::head {

// Keeps the head's reclaimer from freeing chunks while alive.
class HeadReadGuard {
 public:
  explicit HeadReadGuard(Head* head) : head_(head) { head_->EnterReader(); }
  ~HeadReadGuard() { head_->ExitReader(); }
  HeadReadGuard(const HeadReadGuard&) = delete;
  HeadReadGuard& operator=(const HeadReadGuard&) = delete;

 private:
  Head* head_;
};

// Thread-compatible.
class HeadQuerier : public Querier {
 public:
  explicit HeadQuerier(Head* head)
      : head_(head), guard_(std::make_shared<HeadReadGuard>(head)) {}

  std::unique_ptr<SeriesSet> Select(int64_t mint_ms, int64_t maxt_ms,
                                    const Matchers& matchers) override;
  absl::StatusOr<std::vector<std::string>> LabelNames(int64_t mint_ms, int64_t maxt_ms,
                                                      const Matchers& matchers) override;
  absl::StatusOr<std::vector<std::string>> LabelValues(const std::string& name,
                                                       int64_t mint_ms, int64_t maxt_ms,
                                                       const Matchers& matchers) override;

  // The selected series with their chunk snapshots, sorted by labels; the
  // DB merges these with blocks.
  std::vector<std::unique_ptr<ChunkSeries>> SelectChunks(int64_t mint_ms, int64_t maxt_ms,
                                                         const Matchers& matchers);
  // Shares the read registration with series sets that outlive the querier.
  std::shared_ptr<HeadReadGuard> guard() const { return guard_; }

 private:
  // Series ids matching, with at least one sample in [mint, maxt].
  std::vector<MemSeries*> MatchingSeries(int64_t mint_ms, int64_t maxt_ms,
                                         const Matchers& matchers);

  Head* const head_;
  std::shared_ptr<HeadReadGuard> guard_;
};

}  // namespace promlet::storage::head

#endif  // PROMLET_STORAGE_HEAD_HEAD_QUERIER_H_
