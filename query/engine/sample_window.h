// Internal: the samples of one series inside a window (lo, hi] that slides
// forward, for the range-vector functions (Prometheus's left-open windows;
// stale markers are dropped).
//
// Samples are read from the iterator ahead of the window, a batch at a
// time, into one flat array, so each step only moves two indices over it;
// a step costs no iterator call while the batch lasts. Memory stays
// bounded by the widest window plus one batch. A prefix count of value
// decreases tells in O(1) whether a window holds a counter reset.
//
//   SampleWindow w;
//   w.Reset(it);
//   for each step: std::span<const Point> win = w.Slide(t - range, t);
//                  bool resets = w.WindowHasDecrease();
#ifndef PROMLET_QUERY_ENGINE_SAMPLE_WINDOW_H_
#define PROMLET_QUERY_ENGINE_SAMPLE_WINDOW_H_

#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "absl/base/optimization.h"
#include "query/engine/value.h"
#include "storage/api/appender.h"
#include "storage/api/querier.h"

namespace promlet::query::internal {

class SampleWindow {
 public:
  // Starts over on the samples of `it` (positioned before its first).
  // A read goes on until a sample lies `read_ahead_ms` past the window's
  // end (or a batch is full): pass about a few steps' worth when
  // successive windows overlap, 0 when they leave gaps to seek over.
  void Reset(storage::SeriesIterator* it, int64_t read_ahead_ms) {
    it_ = it;
    read_ahead_ms_ = read_ahead_ms;
    size_ = head_ = tail_ = 0;
    need_seek_ = true;
    exhausted_ = false;
  }

  // The points with lo < t <= hi, valid until the next call.
  // REQUIRES: lo and hi never decrease between calls.
  std::span<const Point> Slide(int64_t lo, int64_t hi) {
    while (head_ < size_ && buf_[head_].t_ms <= lo) ++head_;
    if (ABSL_PREDICT_FALSE(head_ == size_) && !exhausted_) {
      // Everything read lies at or before lo: let the iterator skip a gap.
      size_ = head_ = tail_ = 0;
      need_seek_ = true;
    }
    if (tail_ < head_) tail_ = head_;
    for (;;) {
      while (tail_ < size_ && buf_[tail_].t_ms <= hi) ++tail_;
      if (ABSL_PREDICT_TRUE(tail_ < size_) || exhausted_) break;
      ReadBatch(lo, hi);
    }
    return std::span<const Point>(buf_.data() + head_, tail_ - head_);
  }

  // For k in [0, steps), with hi = first_hi + k * interval, the window
  // (hi - range, hi] as Slide gives it: calls visit(k, hi, window,
  // has_decrease) for each non-empty one until visit returns false. The
  // same as calling Slide per step, with the indices kept in registers.
  template <class Visit>
  void ForEachWindow(int64_t first_hi, int64_t interval, size_t steps, int64_t range,
                     Visit&& visit) {
    int64_t hi = first_hi;
    for (size_t k = 0; k < steps; ++k, hi += interval) {
      const int64_t lo = hi - range;
      const Point* buf = buf_.data();
      const size_t size = size_;
      size_t t = tail_;  // >= head_
      while (t < size && buf[t].t_ms <= hi) ++t;
      size_t h = head_;
      if (ABSL_PREDICT_TRUE(t < size)) {
        // buf[t] > hi >= lo bounds this loop.
        while (buf[h].t_ms <= lo) ++h;
        head_ = h;
        tail_ = t;
      } else {
        Slide(lo, hi);  // needs a read (or the iterator is done)
        buf = buf_.data();
        h = head_;
        t = tail_;
      }
      if (h == t) continue;
      const bool has_decrease = decreases_[t - 1] != decreases_[h];
      if (!visit(k, hi, std::span<const Point>(buf + h, t - h), has_decrease)) return;
    }
  }

  // Whether a value decreases between consecutive points of the last
  // window (lets rate/increase skip their reset scan).
  bool WindowHasDecrease() const {
    return tail_ > head_ && decreases_[tail_ - 1] != decreases_[head_];
  }

 private:
  static constexpr size_t kBatch = 128;

  // Appends up to kBatch samples after the last one read (or, after a
  // Reset or gap, from the first one after lo), up to the first one past
  // hi + read_ahead_ms_, dropping consumed ones first.
  void ReadBatch(int64_t lo, int64_t hi) {
    const int64_t stop_after = hi > std::numeric_limits<int64_t>::max() - read_ahead_ms_
                                    ? std::numeric_limits<int64_t>::max() : hi + read_ahead_ms_;
    if (head_ > 0 && head_ * 2 >= size_) {
      std::copy(buf_.begin() + static_cast<ptrdiff_t>(head_),
                buf_.begin() + static_cast<ptrdiff_t>(size_), buf_.begin());
      std::copy(decreases_.begin() + static_cast<ptrdiff_t>(head_),
                decreases_.begin() + static_cast<ptrdiff_t>(size_), decreases_.begin());
      size_ -= head_;
      tail_ -= head_;
      head_ = 0;
    }
    if (buf_.size() < size_ + kBatch) {
      buf_.resize(size_ + kBatch);
      decreases_.resize(size_ + kBatch);
    }
    Point* const buf = buf_.data();
    uint32_t* const decreases = decreases_.data();
    size_t n = size_;
    const size_t end = size_ + kBatch;
    size_t got = 0;  // samples read into buf[n, n + got)
    if (need_seek_) {
      need_seek_ = false;
      if (it_->Seek(lo + 1)) {
        buf[n] = it_->At();
        got = 1;
      }
    }
    for (;;) {
      if (got == 0) {
        // Small reads when windows leave gaps: what lies past hi is skipped.
        got = it_->NextBatch(buf + n, read_ahead_ms_ > 0 ? end - n : std::min<size_t>(8, end - n));
        if (got == 0) {
          size_ = n;
          exhausted_ = true;
          return;
        }
      }
      // Drops stale markers in place and counts decreases.
      const size_t read_end = n + got;
      const int64_t last_t = buf[read_end - 1].t_ms;  // stale or not
      size_t i = n;
      if (n == 0 && i < read_end && !storage::IsStaleNaN(buf[0].value)) {
        decreases[0] = 0;  // only a base for differences
        n = i = 1;
      }
      if (n == i && n > 0) {  // nothing dropped yet: no moves
        for (; i < read_end && !storage::IsStaleNaN(buf[i].value); ++i) {
          decreases[i] = decreases[i - 1] + (buf[i].value < buf[i - 1].value ? 1 : 0);
        }
        n = i;
      }
      for (; i < read_end; ++i) {
        const Point p = buf[i];
        if (ABSL_PREDICT_FALSE(storage::IsStaleNaN(p.value))) continue;
        const uint32_t before = n > 0 ? decreases[n - 1] : 0;
        decreases[n] = before + (n > 0 && p.value < buf[n - 1].value ? 1 : 0);
        buf[n++] = p;
      }
      got = 0;
      if (n == end || last_t > stop_after) {
        size_ = n;
        return;
      }
    }
  }

  storage::SeriesIterator* it_ = nullptr;
  int64_t read_ahead_ms_ = 0;
  std::vector<Point> buf_;            // read samples [0, size_), ascending
  std::vector<uint32_t> decreases_;   // prefix count of decreases in buf_
  size_t size_ = 0;
  size_t head_ = 0;                   // first point with t > lo
  size_t tail_ = 0;                   // first point with t > hi
  bool need_seek_ = true;             // next read starts with Seek(lo + 1)
  bool exhausted_ = false;            // the iterator has no more samples
};

}  // namespace promlet::query::internal

#endif  // PROMLET_QUERY_ENGINE_SAMPLE_WINDOW_H_
