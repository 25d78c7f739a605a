#include "scrape/loop/scrape_cache.h"

namespace promlet::scrape {

ScrapeCache::Entry* ScrapeCache::Add(std::string_view raw, storage::SeriesRef ref, storage::Labels labels) {
  auto [it, inserted] = index_.try_emplace(std::string(raw), static_cast<uint32_t>(entries_.size()));
  if (!inserted) {
    Entry& e = entries_[it->second];
    e.ref = ref;
    e.labels = std::move(labels);
    if (e.used_iter != iter_) ++used_;
    e.used_iter = iter_;
    return &e;
  }
  ++used_;
  entries_.push_back(Entry{ref, std::move(labels), 0, iter_});
  return &entries_.back();
}

void ScrapeCache::IterDone(bool flush) {
  // Compact when more than half of the entries were not seen lately, so a
  // churning target does not grow the cache without bound.
  if (flush && entries_.size() > 64 && entries_.size() > 2 * used_) Compact();
  if (flush && dropped_.size() > 4096) dropped_.clear();
  prev_.swap(cur_);
  cur_.clear();
  ++iter_;
  used_ = 0;
}

void ScrapeCache::Compact() {
  // Keep entries used in this iteration or tracked by the previous one.
  std::vector<uint32_t> remap(entries_.size(), UINT32_MAX);
  std::vector<Entry> kept;
  kept.reserve(cur_.size() + prev_.size());
  for (auto it = index_.begin(); it != index_.end();) {
    Entry& e = entries_[it->second];
    if (e.used_iter == iter_ || e.seen_iter + 1 >= iter_) {
      remap[it->second] = static_cast<uint32_t>(kept.size());
      kept.push_back(std::move(e));
      it->second = remap[it->second];
      ++it;
    } else {
      index_.erase(it++);
    }
  }
  entries_.swap(kept);
  auto fix = [&](std::vector<uint32_t>* v) {
    size_t w = 0;
    for (uint32_t i : *v) {
      if (remap[i] != UINT32_MAX) (*v)[w++] = remap[i];
    }
    v->resize(w);
  };
  fix(&prev_);
  fix(&cur_);
}

}  // namespace promlet::scrape
