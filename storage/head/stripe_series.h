// The head's series maps: by label hash in lock-striped hash maps (so
// concurrent scrapes creating series rarely contend), by id in a two-level
// page table read without locks. Prometheus `stripeSeries`; its lock
// stripes guarding series' chunks are here one SpinLock per run of
// kSeriesPerLock consecutive ids (SeriesLock).
#ifndef PROMLET_STORAGE_HEAD_STRIPE_SERIES_H_
#define PROMLET_STORAGE_HEAD_STRIPE_SERIES_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "storage/api/labels.h"
#include "storage/head/mem_series.h"
#include "storage/head/plain_mutex.h"
#include "storage/head/spin_lock.h"
#include "storage/head/symbol_table.h"

namespace promlet::storage::head {

// The ids one appender holds uncommitted samples for, as a bitmap its owner
// sets and clears with plain (relaxed atomic) stores, no locked
// instruction per sample, and Head::Truncate reads through
// StripeSeries::HasPending so it keeps those series. Grown only through
// StripeSeries::GrowPending. Thread-compatible, but for HasPending's reads.
class PendingIds {
 public:
  PendingIds() = default;
  PendingIds(const PendingIds&) = delete;
  PendingIds& operator=(const PendingIds&) = delete;

  // Ids below this can be Set without growing.
  uint64_t capacity() const { return uint64_t{num_words_} * 64; }
  bool Test(uint32_t id) const {
    return id < capacity() && (Word(id >> 6).load(std::memory_order_relaxed) >> (id & 63)) & 1;
  }
  // REQUIRES: id < capacity().
  void Set(uint32_t id) {
    std::atomic_ref<uint64_t> w = Word(id >> 6);
    w.store(w.load(std::memory_order_relaxed) | uint64_t{1} << (id & 63), std::memory_order_relaxed);
  }
  // Clears the ids in [lo, hi] (and others sharing their 64-id words).
  void ClearRange(uint32_t lo, uint32_t hi);
  void Swap(PendingIds& other) {
    words_.swap(other.words_);
    std::swap(num_words_, other.num_words_);
  }

 private:
  friend class StripeSeries;
  std::atomic_ref<uint64_t> Word(size_t i) const { return std::atomic_ref<uint64_t>(words_[i]); }

  std::unique_ptr<uint64_t[]> words_;
  uint32_t num_words_ = 0;
};

// Thread-safe.
class StripeSeries {
 public:
  static constexpr int kStripes = 4096;  // power of two
  static constexpr uint32_t kPageBits = 16;
  static constexpr uint32_t kMaxPages = 1u << (32 - kPageBits);
  static constexpr uint32_t kSeriesPerLockBits = 6;
  static constexpr uint32_t kLockStripes = 1u << 16;

  explicit StripeSeries(SymbolTable* symbols);
  ~StripeSeries();
  StripeSeries(const StripeSeries&) = delete;
  StripeSeries& operator=(const StripeSeries&) = delete;

  // The series with id, or nullptr. Lock-free. The pointer stays valid while
  // the caller is registered with the head's reclaimer (Head::ReaderScope).
  MemSeries* ById(uint32_t id) const {
    if (id == 0) return nullptr;
    const auto* page = pages_[id >> kPageBits].load(std::memory_order_acquire);
    if (page == nullptr) return nullptr;
    // acquire pairs with the release store in Publish: the series' fields
    // written before publication are visible.
    return (*page)[id & ((1u << kPageBits) - 1)].load(std::memory_order_acquire);
  }

  // Pulls id's page-table slot towards the core (a hint; harmless for ids
  // that do not exist), so that a ById(id) a few appends later finds it.
  void PrefetchSlot(uint32_t id) const {
    const auto* page = pages_[id >> kPageBits].load(std::memory_order_relaxed);
    if (page != nullptr) __builtin_prefetch(&(*page)[id & ((1u << kPageBits) - 1)]);
  }

  // An upper bound of series id's newest committed timestamp, read without
  // locks so an appender can accept a sample after it without loading the
  // series or taking its lock: INT64_MIN when the series had no samples,
  // INT64_MAX when unknown (a fresh id, or a series appended to by a path
  // that does not keep it). Only meaningful while id's series is live.
  int64_t LastTBound(uint32_t id) const {
    return LastTWord(id).load(std::memory_order_relaxed) ^ std::numeric_limits<int64_t>::max();
  }
  // REQUIRES: SeriesLockById(id) held, t >= the series' newest timestamp
  // (INT64_MIN when it has none), and the series live.
  void SetLastTBound(uint32_t id, int64_t t) {
    LastTWord(id).store(t ^ std::numeric_limits<int64_t>::max(), std::memory_order_relaxed);
  }
  void PrefetchLastTBound(uint32_t id) const {
    const int64_t* page = last_t_pages_[id >> kPageBits].load(std::memory_order_relaxed);
    if (page != nullptr) __builtin_prefetch(&page[id & ((1u << kPageBits) - 1)]);
  }

  // Appenders' pending ids (PendingIds): an appender registers its set
  // while it has uncommitted samples, and grows it here (Truncate may be
  // reading it). HasPending: whether a registered appender has a sample
  // pending for id. Never call these holding a series lock, but for
  // HasPending.
  void RegisterPending(PendingIds* p);
  void UnregisterPending(PendingIds* p);
  void GrowPending(PendingIds* p, uint32_t id);
  bool HasPending(uint32_t id) const;

  // Finds the series with these labels, or creates it with `want_id` (0:
  // the next free id). *created tells which.
  MemSeries* GetOrCreate(const Labels& labels, uint64_t hash, uint32_t want_id, bool* created);

  // Removes a series from both maps; the caller retires the memory.
  void Remove(MemSeries* s, uint64_t hash);

  // The lock guarding a series' chunks and flags, shared by the
  // kSeriesPerLock consecutive ids around it (and, past kLockStripes runs,
  // by ids that wrap around). A commit of a scrape, whose series mostly
  // have consecutive ids, takes it once per run instead of once per
  // sample: a locked instruction per sample stalls the core until the
  // previous sample's loads and stores are done, so misses on successive
  // series could not overlap. The 64 KiB of locks stay in cache. Never
  // hold two of these at once (two series may share one).
  SpinLock* SeriesLockById(uint32_t id) const {
    return &series_locks_[(id >> kSeriesPerLockBits) & (kLockStripes - 1)];
  }
  // The same, for callers that hold the series (reads s->id()).
  SpinLock* SeriesLock(const MemSeries* s) const { return SeriesLockById(s->id()); }

  // Calls f(series) for every live series (id order). f may not create or
  // remove series.
  template <typename F>
  void ForEach(F&& f) const {
    const uint32_t max_id = next_id_.load(std::memory_order_acquire);
    for (uint32_t id = 1; id < max_id; ++id) {
      if (MemSeries* s = ById(id)) f(s);
    }
  }

  uint32_t next_id() const { return next_id_.load(std::memory_order_acquire); }
  size_t size() const { return size_.load(std::memory_order_relaxed); }
  size_t MemoryBytes() const;

 private:
  using Page = std::atomic<MemSeries*>[1u << kPageBits];
  struct alignas(64) HashStripe {
    mutable absl::Mutex mu;
    // Hash collisions (different labels, same 64-bit hash) are chained in
    // `conflicts`; they are practically nonexistent.
    absl::flat_hash_map<uint64_t, MemSeries*> by_hash ABSL_GUARDED_BY(mu);
    absl::flat_hash_map<uint64_t, std::vector<MemSeries*>> conflicts ABSL_GUARDED_BY(mu);
  };

  void Publish(uint32_t id, MemSeries* s);
  // The LastTBound word of a published id (its page exists), stored as
  // t ^ INT64_MAX so that the zeroes of a fresh page read as INT64_MAX.
  std::atomic_ref<int64_t> LastTWord(uint32_t id) const {
    int64_t* page = last_t_pages_[id >> kPageBits].load(std::memory_order_relaxed);
    return std::atomic_ref<int64_t>(page[id & ((1u << kPageBits) - 1)]);
  }

  SymbolTable* const symbols_;
  std::unique_ptr<HashStripe[]> hash_stripes_;
  std::unique_ptr<std::atomic<Page*>[]> pages_;
  // Parallel to pages_: each page's LastTBound words, calloc'ed (untouched
  // until used), stored before the page it belongs to is published.
  std::unique_ptr<std::atomic<int64_t*>[]> last_t_pages_;
  std::unique_ptr<SpinLock[]> series_locks_;  // kLockStripes
  absl::Mutex page_mu_;  // serialises page allocation
  mutable PlainMutex pending_mu_;
  std::vector<PendingIds*> pending_ ABSL_GUARDED_BY(pending_mu_);
  std::atomic<uint32_t> next_id_{1};
  std::atomic<size_t> size_{0};
};

}  // namespace promlet::storage::head

#endif  // PROMLET_STORAGE_HEAD_STRIPE_SERIES_H_
