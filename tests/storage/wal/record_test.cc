// Record contents: round-trips (including the stale NaN bit for bit),
// golden bytes, and malformed records giving DataLoss.
#include "storage/wal/record.h"

#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace promlet::storage::wal {
namespace {

std::vector<RefSample> RandomSamples(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<RefSample> out;
  int64_t t = 1'700'000'000'000;
  for (size_t i = 0; i < n; ++i) {
    RefSample s;
    s.ref = rng() % 3 == 0 ? rng() : i * 3;
    s.t_ms = rng() % 4 == 0 ? static_cast<int64_t>(rng()) : t + static_cast<int64_t>(rng() % 100);
    s.value = std::bit_cast<double>(rng());
    out.push_back(s);
  }
  return out;
}

void ExpectSameSamples(const std::vector<RefSample>& got, const std::vector<RefSample>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].ref, want[i].ref) << i;
    EXPECT_EQ(got[i].t_ms, want[i].t_ms) << i;
    EXPECT_EQ(std::bit_cast<uint64_t>(got[i].value), std::bit_cast<uint64_t>(want[i].value)) << i;
  }
}

TEST(WalRecordTest, SamplesRoundTrip) {
  auto check = [](std::vector<RefSample> samples) {
    SCOPED_TRACE(samples.size());
    std::string rec = "prefix";
    EncodeSamples(samples, &rec);
    std::string_view r(rec);
    r.remove_prefix(6);
    EXPECT_EQ(GetRecordType(r), RecordType::kSamples);
    std::vector<RefSample> got = {{1, 2, 3}};
    ASSERT_TRUE(DecodeSamples(r, &got).ok());
    ExpectSameSamples(got, samples);
  };
  check({});
  check({{0, 0, 0}});
  check({{1, 5, StaleNaN()}, {2, 5, std::numeric_limits<double>::quiet_NaN()}});
  check({{UINT64_MAX, INT64_MAX, -0.0}, {0, INT64_MIN, INFINITY}, {UINT64_MAX, 0, -INFINITY}});
  for (size_t n : {1, 2, 10, 1000, 5000}) check(RandomSamples(n, n));
}

TEST(WalRecordTest, ScrapeBatchIsAboutTenBytesPerSample) {
  std::vector<RefSample> samples;
  for (int i = 0; i < 1000; ++i) samples.push_back({static_cast<SeriesRef>(100 + i), 1000, 1.0 * i});
  std::string rec;
  EncodeSamples(samples, &rec);
  EXPECT_LE(rec.size(), 1000u * 10 + 16);
}

TEST(WalRecordTest, SamplesGoldenBytes) {
  std::string rec;
  EncodeSamples(std::vector<RefSample>{{5, 1000, 1.0}, {7, 999, StaleNaN()}}, &rec);
  const std::string want = std::string("\x02\x02\x05\xd0\x0f", 5) +  // type count ref t=1000
                           std::string("\x00\x00", 2) + std::string("\0\0\0\0\0\0\xf0\x3f", 8) +
                           std::string("\x04\x01", 2) +  // dref=+2 dt=-1 (zig-zag)
                           std::string("\x02\0\0\0\0\0\xf0\x7f", 8);
  EXPECT_EQ(rec, want);
}

TEST(WalRecordTest, SeriesAndTombstonesRoundTrip) {
  std::vector<RefSeries> series = {
      {1, Labels::FromPairs({{"__name__", "up"}, {"job", "node"}})},
      {UINT64_MAX, Labels::FromPairs({{"a", std::string(300, 'x')}})},
      {7, Labels()},
  };
  std::string rec;
  EncodeSeries(series, &rec);
  EncodeOneSeries(9, series[0].labels, &rec);  // a second record
  std::vector<RefSeries> got;
  const size_t first_len = rec.size() - (1 + 1 + 1 + series[0].labels.bytes().size());
  ASSERT_TRUE(DecodeSeries(std::string_view(rec).substr(0, first_len), &got).ok());
  ASSERT_EQ(got.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(got[i].ref, series[i].ref);
    EXPECT_EQ(got[i].labels, series[i].labels);
  }
  ASSERT_TRUE(DecodeSeries(std::string_view(rec).substr(first_len), &got).ok());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].ref, 9u);

  std::vector<RefTombstone> tombs = {{1, -5, 10}, {UINT64_MAX, INT64_MIN, INT64_MAX}};
  std::string trec;
  EncodeTombstones(tombs, &trec);
  EXPECT_EQ(GetRecordType(trec), RecordType::kTombstones);
  std::vector<RefTombstone> tgot;
  ASSERT_TRUE(DecodeTombstones(trec, &tgot).ok());
  EXPECT_EQ(tgot, tombs);
}

TEST(WalRecordTest, MalformedIsDataLoss) {
  std::string samples;
  EncodeSamples(RandomSamples(20, 1), &samples);
  std::string series;
  EncodeSeries(std::vector<RefSeries>{{1, Labels::FromPairs({{"a", "b"}, {"c", "d"}})}}, &series);
  std::string tombs;
  EncodeTombstones(std::vector<RefTombstone>{{1, 2, 3}}, &tombs);

  auto bad = [](std::string_view what, std::string_view rec) {
    SCOPED_TRACE(what);
    std::vector<RefSample> s;
    std::vector<RefSeries> r;
    std::vector<RefTombstone> t;
    switch (GetRecordType(rec)) {
      case RecordType::kSamples:
        EXPECT_EQ(DecodeSamples(rec, &s).code(), absl::StatusCode::kDataLoss);
        break;
      case RecordType::kSeries:
        EXPECT_EQ(DecodeSeries(rec, &r).code(), absl::StatusCode::kDataLoss);
        break;
      case RecordType::kTombstones:
        EXPECT_EQ(DecodeTombstones(rec, &t).code(), absl::StatusCode::kDataLoss);
        break;
      case RecordType::kUnknown:
        EXPECT_EQ(DecodeSamples(rec, &s).code(), absl::StatusCode::kDataLoss);
        EXPECT_EQ(DecodeSeries(rec, &r).code(), absl::StatusCode::kDataLoss);
        EXPECT_EQ(DecodeTombstones(rec, &t).code(), absl::StatusCode::kDataLoss);
        break;
    }
  };
  for (size_t cut = 1; cut < samples.size(); ++cut) bad("samples cut", samples.substr(0, cut));
  bad("samples trailing", samples + "x");
  bad("samples huge count", std::string("\x02\xff\xff\xff\xff\x0f\x01\x01", 8));
  for (size_t cut = 2; cut < series.size(); ++cut) bad("series cut", series.substr(0, cut));
  // Labels out of order: swap the two pairs' bytes.
  bad("series unsorted", std::string("\x01\x01\x08\x01" "c\x01" "d\x01" "a\x01" "b", 11));
  bad("series duplicate", std::string("\x01\x01\x08\x01" "a\x01" "d\x01" "a\x01" "b", 11));
  bad("series empty value", std::string("\x01\x01\x03\x01" "a\x00", 6));
  for (size_t cut = 2; cut < tombs.size(); ++cut) bad("tombstones cut", tombs.substr(0, cut));
  bad("empty", "");
  bad("unknown type", "\x09");
  std::vector<RefSample> s;
  EXPECT_EQ(DecodeSamples(series, &s).code(), absl::StatusCode::kDataLoss);
}

// The one-pass encoder the DB uses writes exactly the bytes EncodeSamples
// does, after whatever the buffer already holds, and trims its worst-case
// reservation.
TEST(WalRecordTest, SamplesRecordEncoderMatchesEncodeSamples) {
  auto check = [](const std::vector<RefSample>& samples) {
    SCOPED_TRACE(samples.size());
    std::string want;
    EncodeSamples(samples, &want);
    std::string got = "prefix";
    SamplesRecordEncoder enc(&got, samples.size(), samples.empty() ? 0 : samples[0].ref,
                             samples.empty() ? 0 : samples[0].t_ms);
    for (const RefSample& s : samples) enc.Add(s.ref, s.t_ms, s.value);
    enc.Finish();
    ASSERT_EQ(got.substr(0, 6), "prefix");
    EXPECT_EQ(got.substr(6), want);
    std::vector<RefSample> decoded;
    ASSERT_TRUE(DecodeSamples(std::string_view(got).substr(6), &decoded).ok());
    ExpectSameSamples(decoded, samples);
  };
  check({});
  check({{5, 1000, 1.0}, {7, 999, StaleNaN()}});
  check({{UINT64_MAX, INT64_MAX, -0.0}, {0, INT64_MIN, INFINITY}, {UINT64_MAX, 0, -INFINITY}});
  for (size_t n : {1, 3, 1000}) check(RandomSamples(n, 100 + n));
}

TEST(WalRecordTest, SamplesRecordEncoderGoldenBytes) {
  std::string rec;
  SamplesRecordEncoder enc(&rec, 2, 5, 1000);
  enc.Add(5, 1000, 1.0);
  enc.Add(7, 999, StaleNaN());
  enc.Finish();
  const std::string want = std::string("\x02\x02\x05\xd0\x0f", 5) + std::string("\x00\x00", 2) +
                           std::string("\0\0\0\0\0\0\xf0\x3f", 8) + std::string("\x04\x01", 2) +
                           std::string("\x02\0\0\0\0\0\xf0\x7f", 8);
  EXPECT_EQ(rec, want);
}

// The incremental builder (header written last, buffer reused across
// Clear, grown while adding, swapped between builders) gives EncodeSamples'
// bytes.
TEST(WalRecordTest, SamplesRecordBuilderMatchesEncodeSamples) {
  SamplesRecordBuilder b;
  auto check = [&b](const std::vector<RefSample>& samples) {
    SCOPED_TRACE(samples.size());
    std::string want;
    EncodeSamples(samples, &want);
    b.Clear();
    for (const RefSample& s : samples) b.Add(s.ref, s.t_ms, s.value);
    EXPECT_EQ(b.count(), samples.size());
    EXPECT_EQ(b.Finish(), want);
    EXPECT_EQ(b.Finish(), want);  // idempotent
    std::vector<RefSample> decoded;
    ASSERT_TRUE(DecodeSamples(b.Finish(), &decoded).ok());
    ExpectSameSamples(decoded, samples);
  };
  check({});
  check({{5, 1000, 1.0}, {7, 999, StaleNaN()}});
  check({{UINT64_MAX, INT64_MAX, -0.0}, {0, INT64_MIN, INFINITY}, {UINT64_MAX, 0, -INFINITY}});
  for (size_t n : {1, 3, 1000, 20000, 2}) check(RandomSamples(n, 200 + n));
  SamplesRecordBuilder other;
  other.Swap(b);
  EXPECT_GE(other.capacity(), 20000u * 10);
  EXPECT_EQ(b.capacity(), 0u);
  b.Add(9, 8, 7.0);
  std::string want;
  EncodeSamples(std::vector<RefSample>{{9, 8, 7.0}}, &want);
  EXPECT_EQ(b.Finish(), want);
}

}  // namespace
}  // namespace promlet::storage::wal
