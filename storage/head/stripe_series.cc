#include "storage/head/stripe_series.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

namespace promlet::storage::head {

StripeSeries::StripeSeries(SymbolTable* symbols)
    : symbols_(symbols),
      hash_stripes_(new HashStripe[kStripes]),
      pages_(new std::atomic<Page*>[kMaxPages]),
      last_t_pages_(new std::atomic<int64_t*>[kMaxPages]),
      series_locks_(new SpinLock[kLockStripes]) {
  for (uint32_t i = 0; i < kMaxPages; ++i) {
    pages_[i].store(nullptr, std::memory_order_relaxed);
    last_t_pages_[i].store(nullptr, std::memory_order_relaxed);
  }
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
  for (uint32_t p = 0; p < kMaxPages; ++p) std::free(last_t_pages_[p].load(std::memory_order_relaxed));
}

void PendingIds::ClearRange(uint32_t lo, uint32_t hi) {
  const size_t end = std::min<size_t>(num_words_, (size_t{hi} >> 6) + 1);
  for (size_t w = lo >> 6; w < end; ++w) Word(w).store(0, std::memory_order_relaxed);
}

void StripeSeries::RegisterPending(PendingIds* p) {
  PlainMutexLock lock(&pending_mu_);
  pending_.push_back(p);
}

void StripeSeries::UnregisterPending(PendingIds* p) {
  PlainMutexLock lock(&pending_mu_);
  std::erase(pending_, p);
}

void StripeSeries::GrowPending(PendingIds* p, uint32_t id) {
  // Room for the ids created since, too, so a growing head grows it rarely.
  const uint64_t want_bits = std::max<uint64_t>(uint64_t{id} + 1, next_id()) * 5 / 4 + 64;
  const uint32_t words = static_cast<uint32_t>((want_bits + 63) / 64);
  auto grown = std::make_unique<uint64_t[]>(words);  // zeroed
  PlainMutexLock lock(&pending_mu_);
  for (uint32_t w = 0; w < p->num_words_; ++w) grown[w] = p->Word(w).load(std::memory_order_relaxed);
  p->words_ = std::move(grown);
  p->num_words_ = words;
}

bool StripeSeries::HasPending(uint32_t id) const {
  PlainMutexLock lock(&pending_mu_);
  for (const PendingIds* p : pending_) {
    if (p->Test(id)) return true;
  }
  return false;
}

void StripeSeries::Publish(uint32_t id, MemSeries* s) {
  const uint32_t p = id >> kPageBits;
  Page* page = pages_[p].load(std::memory_order_acquire);
  if (page == nullptr) {
    absl::MutexLock lock(&page_mu_);
    page = pages_[p].load(std::memory_order_acquire);
    if (page == nullptr) {
      void* last_t = std::calloc(size_t{1} << kPageBits, sizeof(int64_t));
      if (last_t == nullptr) throw std::bad_alloc();
      last_t_pages_[p].store(static_cast<int64_t*>(last_t), std::memory_order_relaxed);
      page = reinterpret_cast<Page*>(new std::atomic<MemSeries*>[1u << kPageBits]);
      for (auto& slot : *page) slot.store(nullptr, std::memory_order_relaxed);
      pages_[p].store(page, std::memory_order_release);
    }
  }
  // A new series (or none) under id: its bound is unknown. Released with
  // the slot below, so whoever finds s reads this or a later bound.
  LastTWord(id).store(0, std::memory_order_relaxed);
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
  n += sizeof(std::atomic<int64_t*>) * kMaxPages;
  return n + static_cast<size_t>(next_id() >> kPageBits) * (sizeof(Page) + (sizeof(int64_t) << kPageBits));
}

}  // namespace promlet::storage::head
