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
class SamplesRecordEncoder {
 public:
  SamplesRecordEncoder(std::string* dst, size_t count, SeriesRef base_ref, int64_t base_t);
  SamplesRecordEncoder(const SamplesRecordEncoder&) = delete;
  SamplesRecordEncoder& operator=(const SamplesRecordEncoder&) = delete;

  void Add(SeriesRef ref, int64_t t_ms, double value) {
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
  static char* PutVarint(char* p, uint64_t v) {
    while (v >= 0x80) {
      *p++ = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    *p++ = static_cast<char>(v);
    return p;
  }

  std::string* const dst_;
  char* p_;
  SeriesRef prev_ref_;
  const int64_t base_t_;
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
