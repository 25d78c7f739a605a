// WAL record contents (docs/format/wal.md "Record contents"): what the head
// logs per commit. Encoders append to a caller's buffer; decoders fill a
// caller's vector (cleared first, capacity kept), so a replay loop reuses
// both and allocates nothing per sample.
//
//   std::string rec;
//   EncodeSamples(samples, &rec);         // one record per commit
//   RETURN_IF_ERROR(wal->Log({series_rec, rec}));
//   ...
//   switch (GetRecordType(rec)) {
//     case RecordType::kSamples:
//       RETURN_IF_ERROR(DecodeSamples(rec, &samples));  // DataLoss if bad
//   }
#ifndef PROMLET_STORAGE_WAL_RECORD_H_
#define PROMLET_STORAGE_WAL_RECORD_H_

#include <bit>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "base/coding.h"
#include "storage/api/appender.h"
#include "storage/api/labels.h"

namespace promlet::storage::wal {

enum class RecordType : uint8_t {
  kUnknown = 0,
  kSeries = 1,
  kSamples = 2,
  kTombstones = 3,
};

struct RefSeries {
  SeriesRef ref = 0;
  Labels labels;
};

struct RefSample {
  SeriesRef ref = 0;
  int64_t t_ms = 0;
  double value = 0;
};

// Samples of `ref` in [min_t_ms, max_t_ms] are deleted.
struct RefTombstone {
  SeriesRef ref = 0;
  int64_t min_t_ms = 0;
  int64_t max_t_ms = 0;
  friend bool operator==(const RefTombstone&, const RefTombstone&) = default;
};

// The type of an encoded record; kUnknown for empty or unknown ones.
RecordType GetRecordType(std::string_view rec);

// Each appends one complete record to *dst (which may hold other bytes).
void EncodeSeries(std::span<const RefSeries> series, std::string* dst);
// The same for one series, without building a RefSeries.
void EncodeOneSeries(SeriesRef ref, const Labels& labels, std::string* dst);
void EncodeSamples(std::span<const RefSample> samples, std::string* dst);

// Writes the same samples record as EncodeSamples in one pass from the
// caller's own sample representation (the DB encodes straight from the
// head appender's pending samples, with no RefSample copy). The count and
// the first sample (the delta base) are given up front; exactly `count`
// Add calls follow, then Finish.
//
//   SamplesRecordEncoder enc(&rec, n, first.ref, first.t);
//   for (...) enc.Add(ref, t, v);
//   enc.Finish();
namespace record_internal {
inline char* PutVarint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}
}  // namespace record_internal

class SamplesRecordEncoder {
 public:
  SamplesRecordEncoder(std::string* dst, size_t count, SeriesRef base_ref, int64_t base_t);
  SamplesRecordEncoder(const SamplesRecordEncoder&) = delete;
  SamplesRecordEncoder& operator=(const SamplesRecordEncoder&) = delete;

  void Add(SeriesRef ref, int64_t t_ms, double value) {
    using record_internal::PutVarint;
    // Wrapping subtraction: refs are unsigned, deltas are taken mod 2^64.
    p_ = PutVarint(p_, base::ZigZagEncode(static_cast<int64_t>(ref - prev_ref_)));
    p_ = PutVarint(p_, base::ZigZagEncode(static_cast<int64_t>(static_cast<uint64_t>(t_ms) -
                                                               static_cast<uint64_t>(base_t_))));
    base::EncodeFixed64(p_, std::bit_cast<uint64_t>(value));
    p_ += 8;
    prev_ref_ = ref;
  }
  // Trims *dst to the bytes written.
  void Finish() { dst_->resize(static_cast<size_t>(p_ - dst_->data())); }

  // Worst case per sample: two 10-byte varints and the 8-byte value.
  static constexpr size_t kMaxSampleBytes = 28;

 private:
  std::string* const dst_;
  char* p_;
  SeriesRef prev_ref_;
  const int64_t base_t_;
};

// Builds the same samples record as EncodeSamples one sample at a time,
// when the count is not known up front: the DB encodes each sample as it
// is appended, while its values are at hand, rather than in a pass over
// the batch at commit. The header (count, first ref and time) goes in
// front of the samples at Finish. The buffer is kept across Clear(), and
// never zero-filled.
//
//   SamplesRecordBuilder b;
//   for (...) b.Add(ref, t, v);
//   RETURN_IF_ERROR(wal->Log({b.Finish()}));
//   b.Clear();
class SamplesRecordBuilder {
 public:
  SamplesRecordBuilder() = default;
  SamplesRecordBuilder(const SamplesRecordBuilder&) = delete;
  SamplesRecordBuilder& operator=(const SamplesRecordBuilder&) = delete;

  void Add(SeriesRef ref, int64_t t_ms, double value) {
    using record_internal::PutVarint;
    if (end_ + SamplesRecordEncoder::kMaxSampleBytes > capacity_) Grow();
    if (count_ == 0) {
      base_ref_ = prev_ref_ = ref;
      base_t_ = t_ms;
    }
    char* p = buf_.get() + end_;
    // As SamplesRecordEncoder::Add.
    p = PutVarint(p, base::ZigZagEncode(static_cast<int64_t>(ref - prev_ref_)));
    p = PutVarint(p, base::ZigZagEncode(static_cast<int64_t>(static_cast<uint64_t>(t_ms) -
                                                             static_cast<uint64_t>(base_t_))));
    base::EncodeFixed64(p, std::bit_cast<uint64_t>(value));
    end_ = static_cast<size_t>(p + 8 - buf_.get());
    prev_ref_ = ref;
    ++count_;
  }
  size_t count() const { return count_; }
  // The record of the samples added since Clear(); valid until the next
  // Add, Clear or Swap.
  std::string_view Finish();
  // Forgets the samples, keeping the buffer.
  void Clear() {
    count_ = 0;
    end_ = kMaxHeaderBytes;
  }
  size_t capacity() const { return capacity_; }
  void Swap(SamplesRecordBuilder& other);

 private:
  // Type byte, count, first ref, first time: three varints at most.
  static constexpr size_t kMaxHeaderBytes = 1 + 3 * 10;
  void Grow();

  std::unique_ptr<char[]> buf_;
  size_t capacity_ = 0;
  size_t end_ = kMaxHeaderBytes;  // samples are written from kMaxHeaderBytes on
  size_t count_ = 0;
  SeriesRef base_ref_ = 0;
  SeriesRef prev_ref_ = 0;
  int64_t base_t_ = 0;
};
void EncodeTombstones(std::span<const RefTombstone> tombstones, std::string* dst);

// Each replaces *out with the record's contents. DataLoss if `rec` is not a
// well-formed record of that type (wrong type byte, truncated, trailing
// bytes, labels unsorted or duplicated or with empty values).
absl::Status DecodeSeries(std::string_view rec, std::vector<RefSeries>* out);
absl::Status DecodeSamples(std::string_view rec, std::vector<RefSample>* out);
absl::Status DecodeTombstones(std::string_view rec, std::vector<RefTombstone>* out);

}  // namespace promlet::storage::wal

#endif  // PROMLET_STORAGE_WAL_RECORD_H_
