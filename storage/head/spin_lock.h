// A one-byte test-and-test-and-set lock for each series (MemSeries::lock),
// held for tens of nanoseconds. Debian's absl::Mutex runs its
// deadlock-detection graph on every Lock() in this build (41% of append CPU
// in BM_Head_AppendCachedRefs/10000 under perf), so the hot path avoids it.
#ifndef PROMLET_STORAGE_HEAD_SPIN_LOCK_H_
#define PROMLET_STORAGE_HEAD_SPIN_LOCK_H_

#include <atomic>
#include <thread>

namespace promlet::storage::head {

class SpinLock {
 public:
  void lock() {
    // acquire: the critical section sees the previous holder's writes.
    while (locked_.exchange(true, std::memory_order_acquire)) {
      int spins = 0;
      while (locked_.load(std::memory_order_relaxed)) {
        if (++spins > 64) {
          std::this_thread::yield();
          spins = 0;
        }
      }
    }
  }
  // release: publishes the critical section's writes to the next holder.
  void unlock() { locked_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> locked_{false};
};

// RAII holder.
class SpinLockHolder {
 public:
  explicit SpinLockHolder(SpinLock* l) : l_(l) { l_->lock(); }
  ~SpinLockHolder() { l_->unlock(); }
  SpinLockHolder(const SpinLockHolder&) = delete;
  SpinLockHolder& operator=(const SpinLockHolder&) = delete;

 private:
  SpinLock* l_;
};

}  // namespace promlet::storage::head

#endif  // PROMLET_STORAGE_HEAD_SPIN_LOCK_H_
