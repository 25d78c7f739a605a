// Framing: round-trips across pages and segments, golden bytes, segment
// naming, and the reader's verdict on malformed bytes.
#include <string>
#include <vector>

#include "base/coding.h"
#include "base/crc32c.h"
#include "base/env.h"
#include "gtest/gtest.h"
#include "storage/wal/record.h"
#include "storage/wal/wal.h"
#include "storage/wal/wal_format.h"
#include "storage/wal/wal_reader.h"
#include "tests/storage/wal/wal_test_util.h"

namespace promlet::storage::wal {
namespace {

using testing::MakeRecord;
using testing::ReplayAll;
using testing::TempDir;

WalOptions NoSync(uint64_t segment_size = kDefaultSegmentSize) {
  WalOptions o;
  o.segment_size_bytes = segment_size;
  o.sync_interval = absl::ZeroDuration();
  return o;
}

std::vector<std::string> ReadBytes(std::string_view bytes, absl::Status* status) {
  auto file = base::NewStringRandomAccessFile("mem", bytes);
  SegmentReader r(file.get());
  std::vector<std::string> out;
  while (r.Next()) out.emplace_back(r.record());
  *status = r.status();
  return out;
}

TEST(WalFormatTest, Names) {
  EXPECT_EQ(SegmentName(12), "00000012");
  EXPECT_EQ(CheckpointName(7), "checkpoint.00000007");
  int i = -1;
  EXPECT_TRUE(ParseSegmentName("00000012", &i));
  EXPECT_EQ(i, 12);
  EXPECT_FALSE(ParseSegmentName("0000012", &i));
  EXPECT_FALSE(ParseSegmentName("0000001x", &i));
  EXPECT_TRUE(ParseCheckpointName("checkpoint.00000003", &i));
  EXPECT_EQ(i, 3);
  EXPECT_FALSE(ParseCheckpointName("checkpoint.00000003.tmp", &i));
}

TEST(WalFramingTest, GoldenBytes) {
  TempDir dir;
  auto wal = Wal::Open(base::Env::Default(), dir.path(), NoSync());
  ASSERT_TRUE(wal.ok()) << wal.status();
  ASSERT_TRUE((*wal)->Log("abc").ok());
  ASSERT_TRUE((*wal)->Close().ok());
  std::string got;
  ASSERT_TRUE(base::Env::Default()->ReadFileToString(dir.Sub("00000000"), &got).ok());
  const uint32_t crc = base::Crc32c(std::string_view("\x01" "abc", 4));
  std::string want = {'\x01', '\x03', '\x00'};
  base::PutFixed32(&want, crc);
  want += "abc";
  EXPECT_EQ(got, want);
  EXPECT_EQ(crc, base::DecodeFixed32(got.data() + 3));
}

TEST(WalFramingTest, RoundTripsSizesAcrossPagesAndSegments) {
  TempDir dir;
  base::Env* env = base::Env::Default();
  // Small segments (4 pages) so that commits cross segment boundaries.
  auto wal = Wal::Open(env, dir.path(), NoSync(4 * kPageSize));
  ASSERT_TRUE(wal.ok());
  std::vector<std::string> want;
  const size_t sizes[] = {1,
                          kMaxFragmentPayload - 1,
                          kMaxFragmentPayload,
                          kMaxFragmentPayload + 1,
                          kPageSize - 2 * kHeaderSize,  // leaves a < 7 byte trailer
                          kPageSize * 3 + 5,
                          kPageSize * 9,  // larger than a whole segment
                          100};
  uint64_t seed = 1;
  for (int round = 0; round < 3; ++round) {
    for (size_t n : sizes) {
      want.push_back(MakeRecord(n, seed++));
      ASSERT_TRUE((*wal)->Log(want.back()).ok());
    }
    // A multi-record commit.
    want.push_back(MakeRecord(5000, seed++));
    want.push_back(MakeRecord(70000, seed++));
    ASSERT_TRUE((*wal)->Log({want[want.size() - 2], want.back()}).ok());
  }
  ASSERT_TRUE((*wal)->Log({"", want.back(), ""}).ok());  // empty records are skipped
  want.push_back(want.back());
  EXPECT_GT((*wal)->current_segment(), 3);
  EXPECT_EQ((*wal)->stats().records, static_cast<int64_t>(want.size()));
  ASSERT_TRUE((*wal)->Close().ok());
  ReplayStats stats;
  std::vector<std::string> got = ReplayAll(env, dir.path(), &stats);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got[i], want[i]) << "record " << i;
  EXPECT_EQ(stats.corruptions, 0);
  // No segment holds part of a record that continues in the next: each
  // segment reads cleanly on its own.
  auto segs = ListSegments(env, dir.path());
  ASSERT_TRUE(segs.ok());
  for (int s : *segs) {
    std::string bytes;
    ASSERT_TRUE(env->ReadFileToString(dir.Sub(SegmentName(s)), &bytes).ok());
    absl::Status st;
    ReadBytes(bytes, &st);
    EXPECT_TRUE(st.ok()) << st;
  }
}

TEST(WalFramingTest, ReopenStartsNewSegmentAndReplaysAll) {
  TempDir dir;
  base::Env* env = base::Env::Default();
  for (int i = 0; i < 3; ++i) {
    auto wal = Wal::Open(env, dir.path(), NoSync());
    ASSERT_TRUE(wal.ok());
    EXPECT_EQ((*wal)->current_segment(), i);
    ASSERT_TRUE((*wal)->Log(MakeRecord(10, i)).ok());
  }  // destructor closes
  EXPECT_EQ(ReplayAll(env, dir.path()).size(), 3u);
}

TEST(WalFramingTest, MalformedBytesAreDataLoss) {
  // Build a valid two-page segment, then damage it in table-driven ways.
  TempDir dir;
  base::Env* env = base::Env::Default();
  {
    auto wal = Wal::Open(env, dir.path(), NoSync());
    ASSERT_TRUE(wal.ok());
    ASSERT_TRUE((*wal)->Log({MakeRecord(100, 1), MakeRecord(40000, 2)}).ok());
  }
  std::string good;
  ASSERT_TRUE(env->ReadFileToString(dir.Sub("00000000"), &good).ok());
  absl::Status st;
  ASSERT_EQ(ReadBytes(good, &st).size(), 2u);
  ASSERT_TRUE(st.ok());

  auto check = [&](std::string_view what, std::string bytes, size_t want_records,
                   bool want_torn) {
    SCOPED_TRACE(what);
    auto file = base::NewStringRandomAccessFile("mem", bytes);
    SegmentReader r(file.get());
    size_t n = 0;
    while (r.Next()) ++n;
    EXPECT_EQ(n, want_records);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss) << r.status();
    EXPECT_EQ(r.torn(), want_torn);
    EXPECT_EQ(r.good_offset(), want_records == 0 ? 0u : kHeaderSize + 100);
  };
  auto with = [&](size_t offset, char c) {
    std::string b = good;
    b[offset] = c;
    return b;
  };
  check("bad type", with(0, 9), 0, false);
  check("zero type", with(0, 0), 0, false);
  check("crc", with(3, static_cast<char>(good[3] ^ 1)), 0, false);
  check("payload bit", with(50, static_cast<char>(good[50] ^ 0x10)), 0, false);
  check("length past page", with(2, static_cast<char>(0x90)), 0, false);
  check("first becomes full", with(kHeaderSize + 100, 1), 1, false);
  check("second fragment in middle", with(kPageSize, 2), 1, false);
  check("torn in second record", good.substr(0, good.size() - 1), 1, true);
  check("torn in header", good.substr(0, kHeaderSize + 100 + 3), 1, true);
  check("torn on page boundary", good.substr(0, kPageSize), 1, true);
  check("zeros", std::string(100, '\0'), 0, false);
}

// The fuzz seeds were framed by an independent (Python) writer: reading them
// checks our reader against a second implementation of the format.
TEST(WalFramingTest, FuzzSeedSegmentsReadCleanly) {
  const std::string dir = PROMLET_SOURCE_DIR "/tests/fuzz_corpus/wal_reader_fuzz/";
  auto check = [&](std::string_view name, size_t want_records, bool want_ok) {
    SCOPED_TRACE(name);
    std::string bytes;
    ASSERT_TRUE(base::Env::Default()->ReadFileToString(dir + std::string(name), &bytes).ok());
    absl::Status st;
    std::vector<std::string> recs = ReadBytes(bytes, &st);
    EXPECT_EQ(recs.size(), want_records);
    EXPECT_EQ(st.ok(), want_ok) << st;
    for (const std::string& r : recs) EXPECT_NE(GetRecordType(r), RecordType::kUnknown);
  };
  check("segment_small", 3, true);
  check("segment_multipage", 3, true);
  check("segment_trailer", 2, true);
  check("segment_torn", 1, false);
  std::string bytes;
  ASSERT_TRUE(base::Env::Default()->ReadFileToString(dir + "segment_small", &bytes).ok());
  absl::Status st;
  std::vector<std::string> recs = ReadBytes(bytes, &st);
  ASSERT_EQ(recs.size(), 3u);
  std::vector<RefSample> samples;
  ASSERT_TRUE(DecodeSamples(recs[1], &samples).ok());
  ASSERT_EQ(samples.size(), 3u);
  EXPECT_TRUE(IsStaleNaN(samples[1].value));
  EXPECT_EQ(samples[2].ref, 5u);
  EXPECT_EQ(samples[2].t_ms, 1699999999990);
}

}  // namespace
}  // namespace promlet::storage::wal
