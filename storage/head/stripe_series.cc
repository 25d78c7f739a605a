#include "storage/head/stripe_series.h"

#include <algorithm>

namespace promlet::storage::head {

StripeSeries::StripeSeries(SymbolTable* symbols)
    : symbols_(symbols),
      hash_stripes_(new HashStripe[kStripes]),
      pages_(new std::atomic<Page*>[kMaxPages]),
      series_locks_(new SpinLock[kLockStripes]) {
  for (uint32_t i = 0; i < kMaxPages; ++i) pages_[i].store(nullptr, std::memory_order_relaxed);
}

StripeSeries::~StripeSeries() {
  for (uint32_t p = 0; p < kMaxPages; ++p) {
    Page* page = pages_[p].load(std::memory_order_relaxed);
    if (page == nullptr) continue;
    for (auto& slot : *page) {
      if (MemSeries* s = slot.load(std::memory_order_relaxed)) MemSeries::Destroy(s);
    }
    delete[] page;
  }
}

void StripeSeries::Publish(uint32_t id, MemSeries* s) {
  const uint32_t p = id >> kPageBits;
  Page* page = pages_[p].load(std::memory_order_acquire);
  if (page == nullptr) {
    absl::MutexLock lock(&page_mu_);
    page = pages_[p].load(std::memory_order_acquire);
    if (page == nullptr) {
      page = reinterpret_cast<Page*>(new std::atomic<MemSeries*>[1u << kPageBits]);
      for (auto& slot : *page) slot.store(nullptr, std::memory_order_relaxed);
      pages_[p].store(page, std::memory_order_release);
    }
  }
  (*page)[id & ((1u << kPageBits) - 1)].store(s, std::memory_order_release);
}

MemSeries* StripeSeries::GetOrCreate(const Labels& labels, uint64_t hash, uint32_t want_id,
                                     bool* created) {
  HashStripe& stripe = hash_stripes_[hash & (kStripes - 1)];
  absl::MutexLock lock(&stripe.mu);
  auto it = stripe.by_hash.find(hash);
  if (it != stripe.by_hash.end()) {
    if (it->second->LabelsEqual(*symbols_, labels)) {
      *created = false;
      return it->second;
    }
    auto cit = stripe.conflicts.find(hash);
    if (cit != stripe.conflicts.end()) {
      for (MemSeries* s : cit->second) {
        if (s->LabelsEqual(*symbols_, labels)) {
          *created = false;
          return s;
        }
      }
    }
  }
  // Intern outside no lock of ours but the stripe's: SymbolTable takes only
  // its own mutex, so there is no cycle.
  std::vector<uint32_t> syms;
  syms.reserve(32);
  for (Label l : labels) {
    syms.push_back(symbols_->Intern(l.name));
    syms.push_back(symbols_->Intern(l.value));
  }
  uint32_t id = want_id;
  if (id == 0) {
    id = next_id_.fetch_add(1, std::memory_order_acq_rel);
  } else {
    uint32_t cur = next_id_.load(std::memory_order_acquire);
    while (cur <= id && !next_id_.compare_exchange_weak(cur, id + 1, std::memory_order_acq_rel)) {
    }
  }
  MemSeries* s = MemSeries::Create(id, syms.data(), static_cast<uint16_t>(syms.size() / 2));
  if (it == stripe.by_hash.end()) {
    stripe.by_hash.emplace(hash, s);
  } else {
    stripe.conflicts[hash].push_back(s);
  }
  Publish(id, s);
  size_.fetch_add(1, std::memory_order_relaxed);
  *created = true;
  return s;
}

void StripeSeries::Remove(MemSeries* s, uint64_t hash) {
  HashStripe& stripe = hash_stripes_[hash & (kStripes - 1)];
  {
    absl::MutexLock lock(&stripe.mu);
    auto it = stripe.by_hash.find(hash);
    auto cit = stripe.conflicts.find(hash);
    if (it != stripe.by_hash.end() && it->second == s) {
      if (cit != stripe.conflicts.end() && !cit->second.empty()) {
        it->second = cit->second.back();
        cit->second.pop_back();
        if (cit->second.empty()) stripe.conflicts.erase(cit);
      } else {
        stripe.by_hash.erase(it);
      }
    } else if (cit != stripe.conflicts.end()) {
      std::erase(cit->second, s);
      if (cit->second.empty()) stripe.conflicts.erase(cit);
    }
  }
  Publish(s->id(), nullptr);
  size_.fetch_sub(1, std::memory_order_relaxed);
}

size_t StripeSeries::MemoryBytes() const {
  size_t n = sizeof(HashStripe) * kStripes +
             sizeof(std::atomic<Page*>) * kMaxPages;
  for (int i = 0; i < kStripes; ++i) {
    absl::MutexLock lock(&hash_stripes_[i].mu);
    n += hash_stripes_[i].by_hash.capacity() * (sizeof(uint64_t) + sizeof(void*) + 1);
  }
  return n + static_cast<size_t>(next_id() >> kPageBits) * sizeof(Page);
}

}  // namespace promlet::storage::head
