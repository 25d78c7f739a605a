// Time source. Everything that reads the time takes a Clock* so tests can
// move time by hand (no sleeps, no wall clock in tests).
#ifndef PROMLET_BASE_CLOCK_H_
#define PROMLET_BASE_CLOCK_H_

#include <atomic>
#include <cstdint>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace promlet::base {

// Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  int64_t NowMs() const { return absl::ToUnixMillis(Now()); }

  // The process-wide real clock; never destroyed.
  static Clock* Real();
};

// A clock that only moves when told to. Thread-safe.
class FakeClock : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1'700'000'000))
      : now_ns_(absl::ToUnixNanos(start)) {}
  absl::Time Now() const override {
    // Relaxed: a test moves time from one thread and reads it in others;
    // ordering against other memory is not what this clock promises.
    return absl::FromUnixNanos(now_ns_.load(std::memory_order_relaxed));
  }
  void Advance(absl::Duration d) {
    now_ns_.fetch_add(absl::ToInt64Nanoseconds(d), std::memory_order_relaxed);
  }
  void Set(absl::Time t) {
    now_ns_.store(absl::ToUnixNanos(t), std::memory_order_relaxed);
  }

 private:
  std::atomic<int64_t> now_ns_;
};

}  // namespace promlet::base

#endif  // PROMLET_BASE_CLOCK_H_
