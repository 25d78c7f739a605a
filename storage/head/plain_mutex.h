// std::mutex with Abseil's thread-safety annotations, for locks taken per
// chunk write (ChunkArena). Debian's absl::Mutex runs its deadlock-detection
// graph on every Lock() in this build (~0.3 us each: 3% of a steady scrape's
// CPU went to the arena's lock), and these locks, held across a pwrite(2),
// are too long for a SpinLock.
#ifndef PROMLET_STORAGE_HEAD_PLAIN_MUTEX_H_
#define PROMLET_STORAGE_HEAD_PLAIN_MUTEX_H_

#include <mutex>

#include "absl/base/thread_annotations.h"

namespace promlet::storage::head {

class ABSL_LOCKABLE PlainMutex {
 public:
  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  void Unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

class ABSL_SCOPED_LOCKABLE PlainMutexLock {
 public:
  explicit PlainMutexLock(PlainMutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_->Lock(); }
  ~PlainMutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  PlainMutexLock(const PlainMutexLock&) = delete;
  PlainMutexLock& operator=(const PlainMutexLock&) = delete;

 private:
  PlainMutex* const mu_;
};

}  // namespace promlet::storage::head

#endif  // PROMLET_STORAGE_HEAD_PLAIN_MUTEX_H_
