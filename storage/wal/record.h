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

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
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
void EncodeTombstones(std::span<const RefTombstone> tombstones, std::string* dst);

// Each replaces *out with the record's contents. DataLoss if `rec` is not a
// well-formed record of that type (wrong type byte, truncated, trailing
// bytes, labels unsorted or duplicated or with empty values).
absl::Status DecodeSeries(std::string_view rec, std::vector<RefSeries>* out);
absl::Status DecodeSamples(std::string_view rec, std::vector<RefSample>* out);
absl::Status DecodeTombstones(std::string_view rec, std::vector<RefTombstone>* out);

}  // namespace promlet::storage::wal

#endif  // PROMLET_STORAGE_WAL_RECORD_H_
