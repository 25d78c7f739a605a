// libFuzzer target: the input as a WAL segment through SegmentReader, and
// every record found (and the raw input itself, which gets past the CRCs)
// through the record decoders. Must never crash; malformed input must be
// DataLoss; whatever decodes must survive an encode/decode round-trip.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "storage/wal/record.h"
#include "storage/wal/wal_format.h"
#include "storage/wal/wal_reader.h"

namespace {

using namespace promlet::storage::wal;  // NOLINT: a fuzz driver

void Check(bool ok) {
  if (!ok) std::abort();
}

void DecodeRecord(std::string_view rec) {
  static std::vector<RefSeries> series, series2;
  static std::vector<RefSample> samples, samples2;
  static std::vector<RefTombstone> tombs, tombs2;
  static std::string enc;
  absl::Status s;
  switch (GetRecordType(rec)) {
    case RecordType::kSeries:
      s = DecodeSeries(rec, &series);
      if (s.ok()) {
        enc.clear();
        EncodeSeries(series, &enc);
        Check(DecodeSeries(enc, &series2).ok() && series2.size() == series.size());
        for (size_t i = 0; i < series.size(); ++i) {
          Check(series[i].ref == series2[i].ref && series[i].labels == series2[i].labels);
        }
      }
      break;
    case RecordType::kSamples:
      s = DecodeSamples(rec, &samples);
      if (s.ok()) {
        enc.clear();
        EncodeSamples(samples, &enc);
        Check(DecodeSamples(enc, &samples2).ok() && samples2.size() == samples.size());
        for (size_t i = 0; i < samples.size(); ++i) {
          Check(samples[i].ref == samples2[i].ref && samples[i].t_ms == samples2[i].t_ms &&
                std::bit_cast<uint64_t>(samples[i].value) ==
                    std::bit_cast<uint64_t>(samples2[i].value));
        }
      }
      break;
    case RecordType::kTombstones:
      s = DecodeTombstones(rec, &tombs);
      if (s.ok()) {
        enc.clear();
        EncodeTombstones(tombs, &enc);
        Check(DecodeTombstones(enc, &tombs2).ok() && tombs2 == tombs);
      }
      break;
    case RecordType::kUnknown:
      s = DecodeSamples(rec, &samples);
      Check(!s.ok());
      break;
  }
  Check(s.ok() || s.code() == absl::StatusCode::kDataLoss);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  DecodeRecord(bytes);
  auto file = promlet::base::NewStringRandomAccessFile("fuzz", bytes);
  SegmentReader reader(file.get());
  while (reader.Next()) {
    Check(reader.good_offset() <= size);
    DecodeRecord(reader.record());
  }
  Check(reader.status().ok() || reader.status().code() == absl::StatusCode::kDataLoss);
  Check(reader.good_offset() <= size);
  return 0;
}
