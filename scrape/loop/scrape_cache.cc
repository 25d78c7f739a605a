#include "scrape/loop/scrape_cache.h"

namespace promlet::scrape {

ScrapeCache::Entry* ScrapeCache::Add(std::string_view raw, storage::SeriesRef ref, storage::Labels labels,
                                     bool dropped) {
  LeaveOrder();
  auto [it, inserted] = index_.try_emplace(std::string(raw), static_cast<uint32_t>(entries_.size()));
  Entry* e;
  if (inserted) {
    entries_.push_back(Entry{});
    e = &entries_.back();
  } else {
    e = &entries_[it->second];
  }
  e->ref = ref;
  e->labels = std::move(labels);
  e->dropped = dropped;
  if (e->used_iter != iter_) ++used_;
  e->used_iter = iter_;
  seen_.push_back({raw, IndexOf(e)});
  return e;
}

void ScrapeCache::MaterializeSeen() {
  for (size_t i = 0; i < cursor_; ++i) {
    const Slot& s = order_[i];
    seen_.push_back({std::string_view(order_keys_.data() + s.off, s.len), s.idx});
  }
}

void ScrapeCache::IterDone(bool flush) {
  if (flush && (order_dirty_ || cursor_ != order_.size())) {
    if (!order_dirty_) MaterializeSeen();  // a prefix of the order
    RebuildOrder();
  }
  // Compact when more than half of the entries were not used lately, so a
  // churning target does not grow the cache without bound.
  if (flush && entries_.size() > 64 && entries_.size() > 2 * used_) Compact();
  seen_.clear();
  prev_.swap(cur_);
  cur_.clear();
  prev_tracked_again_ = 0;
  ++iter_;
  used_ = 0;
}

void ScrapeCache::RebuildOrder() {
  for (const Slot& s : order_) {
    if (s.idx < entries_.size()) entries_[s.idx].order_pos = UINT32_MAX;
  }
  // seen_ may view order_keys_: build into the spare buffers, then swap.
  std::string& keys = spare_keys_;
  std::vector<Slot>& order = spare_order_;
  keys.clear();
  order.clear();
  for (const auto& [key, idx] : seen_) {
    if (entries_[idx].order_pos != UINT32_MAX) continue;  // a duplicate line keeps its first place
    entries_[idx].order_pos = static_cast<uint32_t>(order.size());
    order.push_back({static_cast<uint32_t>(keys.size()), static_cast<uint32_t>(key.size()), idx, 0});
    keys.append(key);
  }
  order_keys_.swap(keys);
  order_.swap(order);
}

void ScrapeCache::Compact() {
  // Keep entries used in this iteration or tracked by the previous one.
  std::vector<uint32_t> remap(entries_.size(), UINT32_MAX);
  std::vector<Entry> kept;
  kept.reserve(used_ + prev_.size());
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
  size_t w = 0;
  for (Slot s : order_) {
    if (remap[s.idx] == UINT32_MAX) continue;
    s.idx = remap[s.idx];
    entries_[s.idx].order_pos = static_cast<uint32_t>(w);
    order_[w++] = s;
  }
  order_.resize(w);  // keys of removed slots stay in order_keys_ until the next rebuild
}

}  // namespace promlet::scrape
