// Per-target scrape cache (Prometheus scrapeCache): raw series bytes as
// written in the exposition (`http_requests_total{code="200"}`) -> storage
// SeriesRef and final labels, so a steady scrape does no label parsing, no
// relabeling and no allocation per sample. It also tracks which series each
// scrape saw, to write staleness markers for the ones that vanished, with
// Prometheus's exact seriesPrev/seriesCur semantics.
//
// Fast path: targets expose their series in the same order every time, so
// the cache keeps the previous scrape's keys in one contiguous buffer in
// scrape order and first compares the incoming key with the expected next
// one (a sequential memcmp the prefetcher streams). Only a mismatch probes
// the hash map, which then resynchronises the cursor. A hash probe per
// sample costs two or three cache misses once the set outgrows L2
// (BM_Scrape_SteadyStateNoopAppender/10000; see docs/benchmarks.md).
// The expected next key also goes to the parser as a hint
// (textparse::Parser::ExpectSeries): a line that starts with it is not
// tokenised at all, and TakeExpected skips the second comparison.
#ifndef PROMLET_SCRAPE_LOOP_SCRAPE_CACHE_H_
#define PROMLET_SCRAPE_LOOP_SCRAPE_CACHE_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/optimization.h"
#include "absl/container/flat_hash_map.h"
#include "base/strings.h"
#include "storage/api/appender.h"
#include "storage/api/labels.h"

namespace promlet::scrape {

// Thread-compatible: owned by one scrape loop.
class ScrapeCache {
 public:
  struct Entry {
    storage::SeriesRef ref = 0;
    storage::Labels labels;  // final labels (after target labels and relabeling)
    uint64_t seen_iter = 0;  // iteration that last tracked it for staleness
    uint64_t used_iter = 0;  // iteration that last looked it up
    uint32_t order_pos = UINT32_MAX;  // position in the last scrape order
    bool dropped = false;    // metric relabeling dropped it
  };

  // Starts a pass over a body (resets the order cursor).
  void BeginScrape() {
    cursor_ = 0;
    order_dirty_ = false;
    seen_.clear();
  }

  // The entry for `raw`, or nullptr on a miss. The pointer is valid until
  // the next Add or EndScrape. `raw` must stay valid until EndScrape.
  Entry* Find(std::string_view raw) {
    Entry* e = nullptr;
    if (cursor_ < order_.size()) {
      const Slot& s = order_[cursor_];
      if (s.len == raw.size() && std::memcmp(order_keys_.data() + s.off, raw.data(), raw.size()) == 0) {
        PrefetchAhead();
        e = &entries_[s.idx];
        ++cursor_;
      }
    }
    if (ABSL_PREDICT_FALSE(e == nullptr)) {
      LeaveOrder();
      auto it = index_.find(raw);
      if (it == index_.end()) return nullptr;
      e = &entries_[it->second];
      if (e->order_pos != UINT32_MAX) cursor_ = e->order_pos + 1;  // resync
    }
    if (e->used_iter != iter_) {
      e->used_iter = iter_;
      ++used_;
    }
    if (order_dirty_) seen_.push_back({raw, IndexOf(e)});
    return e;
  }
  // The key the ordered fast path expects next (empty at the end of the
  // order): the parser's ExpectSeries() hint. Valid until EndScrape.
  std::string_view ExpectedKey() const {
    if (cursor_ >= order_.size()) return {};
    const Slot& s = order_[cursor_];
    return std::string_view(order_keys_.data() + s.off, s.len);
  }
  // Find() for a key the caller proved equal to ExpectedKey() (the parser
  // matched its hint): no comparison again.
  Entry* TakeExpected(std::string_view raw) {
    PrefetchAhead();
    Entry* e = &entries_[order_[cursor_++].idx];
    if (e->used_iter != iter_) {
      e->used_iter = iter_;
      ++used_;
    }
    if (order_dirty_) seen_.push_back({raw, IndexOf(e)});
    return e;
  }
  // Adds a series (or a dropped one, with `dropped`).
  Entry* Add(std::string_view raw, storage::SeriesRef ref, storage::Labels labels, bool dropped = false);

  // Marks the entry seen by this scrape (series without explicit timestamps
  // only, like Prometheus trackStaleness).
  void TrackStaleness(Entry* e) {
    if (e->seen_iter == iter_) return;
    if (e->seen_iter + 1 == iter_) ++prev_tracked_again_;  // it is in prev_
    e->seen_iter = iter_;
    cur_.push_back(IndexOf(e));
  }

  // Calls f(entry) for every series tracked by the previous iteration but
  // not by this one (Prometheus forEachStale).
  template <typename F>
  void ForEachStale(F&& f) {
    // The usual steady scrape tracked every series of prev_ again: nothing is
    // stale, and the walk over prev_ (a cache miss per entry once the target
    // set outgrows the caches) is skipped.
    if (prev_tracked_again_ == prev_.size()) return;
    for (uint32_t i : prev_) {
      if (i < entries_.size() && entries_[i].seen_iter != iter_) f(entries_[i]);
    }
  }

  // Ends an iteration: cur becomes prev. With `flush` (a complete, non-empty
  // scrape) the scrape order is re-learnt if it changed and entries not
  // seen for a while are dropped when the cache grew large.
  void IterDone(bool flush);

  size_t size() const { return entries_.size(); }
  uint64_t iteration() const { return iter_; }

 private:
  // 16 bytes, so order_.size() (read per sample) is a shift, not a
  // division by 12.
  struct Slot {
    uint32_t off, len, idx;
    uint32_t unused = 0;
  };
  uint32_t IndexOf(const Entry* e) const { return static_cast<uint32_t>(e - entries_.data()); }
  // Entries are visited in scrape order, but interleaved with the storage's
  // own misses the hardware prefetcher falls behind: ask for the entry a few
  // places ahead (its slot is in cache, order_ is read sequentially).
  void PrefetchAhead() const {
    constexpr size_t kAhead = 8;
    if (cursor_ + kAhead < order_.size()) __builtin_prefetch(&entries_[order_[cursor_ + kAhead].idx], 1);
  }
  // The pass leaves the previous order: seen_ gets the in-order prefix it
  // skipped so far and from now on lists every key.
  void LeaveOrder() {
    if (order_dirty_) return;
    MaterializeSeen();
    order_dirty_ = true;
  }
  void MaterializeSeen();
  void Compact();
  void RebuildOrder();

  absl::flat_hash_map<std::string, uint32_t, base::StringHash, base::StringEq> index_;
  std::vector<Entry> entries_;
  uint64_t iter_ = 1;
  size_t used_ = 0;  // entries looked up or added in this iteration
  std::vector<uint32_t> prev_, cur_;
  // Entries tracked in this iteration that prev_ lists (seen_iter was
  // iter_ - 1): when it equals prev_.size(), no series went stale.
  size_t prev_tracked_again_ = 0;

  // Scrape order of the last complete scrape.
  std::string order_keys_;
  std::vector<Slot> order_;
  size_t cursor_ = 0;
  bool order_dirty_ = false;
  // This pass's keys (views into the body or order_keys_) and entries, to
  // re-learn the order. Empty while the pass follows the order (order_dirty_
  // false): then it is order_[0, cursor_), written out only when needed.
  std::vector<std::pair<std::string_view, uint32_t>> seen_;
  // RebuildOrder's previous buffers, kept for their capacity.
  std::string spare_keys_;
  std::vector<Slot> spare_order_;
};

}  // namespace promlet::scrape

#endif  // PROMLET_SCRAPE_LOOP_SCRAPE_CACHE_H_
