#include "storage/wal/record.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <memory>
#include <utility>

#include "absl/base/optimization.h"
#include "absl/strings/str_cat.h"
#include "base/coding.h"
#include "base/strings.h"

namespace promlet::storage::wal {
namespace {

using base::GetVarint64;
using base::GetVarsint64;
using base::PutVarint64;
using base::PutVarsint64;

absl::Status Corrupt(std::string_view what) {
  return absl::DataLossError(absl::StrCat("wal record: ", base::Absl(what)));
}

// Checks that `enc` is a well-formed Labels encoding: sorted unique names,
// non-empty values. Prometheus never logs an empty label set either, but we
// accept one (a series with no labels is the caller's business).
bool ValidLabels(std::string_view enc) {
  std::string_view prev_name;
  bool first = true;
  while (!enc.empty()) {
    std::string_view name, value;
    if (!base::GetLengthPrefixed(&enc, &name) || !base::GetLengthPrefixed(&enc, &value)) {
      return false;
    }
    if (value.empty() || (!first && name <= prev_name)) return false;
    prev_name = name;
    first = false;
  }
  return true;
}

bool CheckType(std::string_view* rec, RecordType type) {
  if (rec->empty() || static_cast<uint8_t>((*rec)[0]) != static_cast<uint8_t>(type)) {
    return false;
  }
  rec->remove_prefix(1);
  return true;
}

}  // namespace

RecordType GetRecordType(std::string_view rec) {
  if (rec.empty()) return RecordType::kUnknown;
  switch (static_cast<uint8_t>(rec[0])) {
    case 1:
      return RecordType::kSeries;
    case 2:
      return RecordType::kSamples;
    case 3:
      return RecordType::kTombstones;
    default:
      return RecordType::kUnknown;
  }
}

void EncodeOneSeries(SeriesRef ref, const Labels& labels, std::string* dst) {
  dst->push_back(static_cast<char>(RecordType::kSeries));
  PutVarint64(dst, ref);
  base::PutLengthPrefixed(dst, labels.bytes());
}

void EncodeSeries(std::span<const RefSeries> series, std::string* dst) {
  dst->push_back(static_cast<char>(RecordType::kSeries));
  for (const RefSeries& s : series) {
    PutVarint64(dst, s.ref);
    base::PutLengthPrefixed(dst, s.labels.bytes());
  }
}

SamplesRecordEncoder::SamplesRecordEncoder(std::string* dst, size_t count, SeriesRef base_ref,
                                           int64_t base_t)
    : dst_(dst), prev_ref_(base_ref), base_t_(base_t) {
  dst->push_back(static_cast<char>(RecordType::kSamples));
  PutVarint64(dst, count);
  if (count > 0) {
    PutVarint64(dst, base_ref);
    PutVarsint64(dst, base_t);
  }
  // Room for the worst case once, written through a raw pointer: no
  // capacity check per byte. Finish() trims the rest.
  const size_t used = dst->size();
  dst->resize(used + count * kMaxSampleBytes);
  p_ = dst->data() + used;
}

std::string_view SamplesRecordBuilder::Finish() {
  if (buf_ == nullptr) Grow();
  char header[kMaxHeaderBytes];
  char* p = header;
  *p++ = static_cast<char>(RecordType::kSamples);
  p = record_internal::PutVarint(p, count_);
  if (count_ > 0) {
    p = record_internal::PutVarint(p, base_ref_);
    p = record_internal::PutVarint(p, base::ZigZagEncode(base_t_));
  }
  const size_t header_size = static_cast<size_t>(p - header);
  char* start = buf_.get() + kMaxHeaderBytes - header_size;
  std::memcpy(start, header, header_size);
  return std::string_view(start, end_ - (kMaxHeaderBytes - header_size));
}

void SamplesRecordBuilder::Grow() {
  const size_t capacity = std::max<size_t>(
      4096, 2 * capacity_ + kMaxHeaderBytes + SamplesRecordEncoder::kMaxSampleBytes);
  auto buf = std::make_unique_for_overwrite<char[]>(capacity);
  if (buf_ != nullptr) {
    std::memcpy(buf.get() + kMaxHeaderBytes, buf_.get() + kMaxHeaderBytes, end_ - kMaxHeaderBytes);
  }
  buf_ = std::move(buf);
  capacity_ = capacity;
}

void SamplesRecordBuilder::Swap(SamplesRecordBuilder& other) {
  std::swap(buf_, other.buf_);
  std::swap(capacity_, other.capacity_);
  std::swap(end_, other.end_);
  std::swap(count_, other.count_);
  std::swap(base_ref_, other.base_ref_);
  std::swap(prev_ref_, other.prev_ref_);
  std::swap(base_t_, other.base_t_);
}

void EncodeSamples(std::span<const RefSample> samples, std::string* dst) {
  SamplesRecordEncoder enc(dst, samples.size(), samples.empty() ? 0 : samples[0].ref,
                           samples.empty() ? 0 : samples[0].t_ms);
  for (const RefSample& s : samples) enc.Add(s.ref, s.t_ms, s.value);
  enc.Finish();
}

void EncodeTombstones(std::span<const RefTombstone> tombstones, std::string* dst) {
  dst->push_back(static_cast<char>(RecordType::kTombstones));
  for (const RefTombstone& t : tombstones) {
    PutVarint64(dst, t.ref);
    PutVarsint64(dst, t.min_t_ms);
    PutVarsint64(dst, t.max_t_ms);
  }
}

absl::Status DecodeSeries(std::string_view rec, std::vector<RefSeries>* out) {
  out->clear();
  if (!CheckType(&rec, RecordType::kSeries)) return Corrupt("not a series record");
  while (!rec.empty()) {
    uint64_t ref;
    std::string_view enc;
    if (ABSL_PREDICT_FALSE(!GetVarint64(&rec, &ref) || !base::GetLengthPrefixed(&rec, &enc))) {
      return Corrupt("series record truncated");
    }
    if (ABSL_PREDICT_FALSE(!ValidLabels(enc))) return Corrupt("series record: bad labels");
    out->push_back(RefSeries{ref, Labels::FromEncoded(std::string(enc))});
  }
  return absl::OkStatus();
}

absl::Status DecodeSamples(std::string_view rec, std::vector<RefSample>* out) {
  out->clear();
  if (!CheckType(&rec, RecordType::kSamples)) return Corrupt("not a samples record");
  uint64_t count;
  if (ABSL_PREDICT_FALSE(!GetVarint64(&rec, &count))) return Corrupt("samples record truncated");
  if (count == 0) {
    if (!rec.empty()) return Corrupt("samples record: trailing bytes");
    return absl::OkStatus();
  }
  uint64_t base_ref;
  int64_t base_t;
  if (ABSL_PREDICT_FALSE(!GetVarint64(&rec, &base_ref) || !GetVarsint64(&rec, &base_t))) {
    return Corrupt("samples record truncated");
  }
  // Each sample takes at least 10 bytes; never reserve for a garbage count.
  if (ABSL_PREDICT_FALSE(count > rec.size() / 10)) return Corrupt("samples record: bad count");
  out->resize(count);
  const char* p = rec.data();
  const char* const limit = p + rec.size();
  SeriesRef ref = base_ref;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t dref, dt;
    p = base::GetVarint64Ptr(p, limit, &dref);
    if (ABSL_PREDICT_FALSE(p == nullptr)) return Corrupt("samples record truncated");
    p = base::GetVarint64Ptr(p, limit, &dt);
    if (ABSL_PREDICT_FALSE(p == nullptr || limit - p < 8)) {
      return Corrupt("samples record truncated");
    }
    ref += static_cast<uint64_t>(base::ZigZagDecode(dref));
    RefSample& s = (*out)[i];
    s.ref = ref;
    s.t_ms = static_cast<int64_t>(static_cast<uint64_t>(base_t) +
                                  static_cast<uint64_t>(base::ZigZagDecode(dt)));
    s.value = std::bit_cast<double>(base::DecodeFixed64(p));
    p += 8;
  }
  if (ABSL_PREDICT_FALSE(p != limit)) return Corrupt("samples record: trailing bytes");
  return absl::OkStatus();
}

absl::Status DecodeTombstones(std::string_view rec, std::vector<RefTombstone>* out) {
  out->clear();
  if (!CheckType(&rec, RecordType::kTombstones)) return Corrupt("not a tombstones record");
  while (!rec.empty()) {
    RefTombstone t;
    if (ABSL_PREDICT_FALSE(!GetVarint64(&rec, &t.ref) || !GetVarsint64(&rec, &t.min_t_ms) ||
                           !GetVarsint64(&rec, &t.max_t_ms))) {
      return Corrupt("tombstones record truncated");
    }
    out->push_back(t);
  }
  return absl::OkStatus();
}

}  // namespace promlet::storage::wal
