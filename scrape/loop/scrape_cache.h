// Per-target scrape cache (Prometheus scrapeCache): raw series bytes as
// written in the exposition (`http_requests_total{code="200"}`) -> storage
// SeriesRef and final labels, so a steady scrape does no label parsing, no
// relabeling and no allocation per sample: one heterogeneous flat_hash_map
// probe with a string_view. It also tracks which series each scrape saw, to
// write staleness markers for the ones that vanished, with Prometheus's
// exact seriesPrev/seriesCur semantics.
#ifndef PROMLET_SCRAPE_LOOP_SCRAPE_CACHE_H_
#define PROMLET_SCRAPE_LOOP_SCRAPE_CACHE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
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
  };

  // nullptr on a miss. The pointer is valid until the next Add or IterDone.
  Entry* Find(std::string_view raw) {
    auto it = index_.find(raw);
    if (it == index_.end()) return nullptr;
    Entry* e = &entries_[it->second];
    if (e->used_iter != iter_) {
      e->used_iter = iter_;
      ++used_;
    }
    return e;
  }
  uint32_t IndexOf(const Entry* e) const { return static_cast<uint32_t>(e - entries_.data()); }
  Entry* Add(std::string_view raw, storage::SeriesRef ref, storage::Labels labels);

  // Series dropped by metric relabeling, remembered so they are skipped cheaply.
  bool IsDropped(std::string_view raw) const { return dropped_.contains(raw); }
  void AddDropped(std::string_view raw) { dropped_.emplace(raw); }

  // Marks the entry seen by this scrape (series without explicit timestamps
  // only, like Prometheus trackStaleness).
  void TrackStaleness(Entry* e) {
    if (e->seen_iter == iter_) return;
    e->seen_iter = iter_;
    cur_.push_back(IndexOf(e));
  }

  // Calls f(entry) for every series tracked by the previous iteration but
  // not by this one (Prometheus forEachStale).
  template <typename F>
  void ForEachStale(F&& f) {
    for (uint32_t i : prev_) {
      if (i < entries_.size() && entries_[i].seen_iter != iter_) f(entries_[i]);
    }
  }

  // Ends an iteration: cur becomes prev. With `flush` (a non-empty scrape)
  // entries not seen for a while are dropped when the cache grew large.
  void IterDone(bool flush);

  size_t size() const { return entries_.size(); }
  size_t dropped_size() const { return dropped_.size(); }
  uint64_t iteration() const { return iter_; }

 private:
  void Compact();

  absl::flat_hash_map<std::string, uint32_t, base::StringHash, base::StringEq> index_;
  std::vector<Entry> entries_;
  absl::flat_hash_set<std::string, base::StringHash, base::StringEq> dropped_;
  uint64_t iter_ = 1;
  size_t used_ = 0;  // entries looked up or added in this iteration
  std::vector<uint32_t> prev_, cur_;
};

}  // namespace promlet::scrape

#endif  // PROMLET_SCRAPE_LOOP_SCRAPE_CACHE_H_
