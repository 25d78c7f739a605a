#include "storage/head/head.h"

#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <thread>

#include "gtest/gtest.h"
#include "storage/api/mem_storage.h"
#include "storage/chunkenc/xor_chunk.h"
#include "storage/head/chunk_buf.h"
#include "storage/head/head_appender.h"
#include "storage/head/head_querier.h"

namespace promlet::storage::head {
namespace {

Labels L(std::initializer_list<std::pair<std::string_view, std::string_view>> p) {
  return Labels::FromPairs(p);
}

struct Got {
  std::string labels;
  std::vector<Sample> samples;
};

std::vector<Got> SelectAll(Queryable* q, int64_t mint, int64_t maxt, const Matchers& ms) {
  auto querier = q->NewQuerier();
  EXPECT_TRUE(querier.ok());
  auto set = (*querier)->Select(mint, maxt, ms);
  std::vector<Got> out;
  while (set->Next()) {
    Got g{set->At().labels().ToString(), {}};
    auto it = set->At().NewIterator();
    while (it->Next()) g.samples.push_back(it->At());
    EXPECT_TRUE(it->status().ok());
    out.push_back(std::move(g));
  }
  EXPECT_TRUE(set->status().ok());
  return out;
}

Matchers Name(std::string n) { return {Matcher::Equal("__name__", std::move(n))}; }

TEST(Head, AppendCommitSelect) {
  Head head;
  auto app = head.NewAppender();
  auto r1 = app->Append(0, L({{"__name__", "up"}, {"job", "a"}}), 1000, 1);
  auto r2 = app->Append(0, L({{"__name__", "up"}, {"job", "b"}}), 1000, 0);
  ASSERT_TRUE(r1.ok() && r2.ok());
  EXPECT_NE(*r1, *r2);
  // Uncommitted samples are invisible.
  EXPECT_TRUE(SelectAll(&head, 0, 5000, Name("up")).empty());
  ASSERT_TRUE(app->Commit().ok());
  ASSERT_TRUE(app->Append(*r1, {}, 2000, 2).ok());  // cached ref, no labels
  ASSERT_TRUE(app->Commit().ok());
  auto got = SelectAll(&head, 0, 5000, Name("up"));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].labels, "{__name__=\"up\", job=\"a\"}");
  ASSERT_EQ(got[0].samples.size(), 2u);
  EXPECT_EQ(got[0].samples[1].t_ms, 2000);
  EXPECT_EQ(got[0].samples[1].value, 2);
  EXPECT_EQ(SelectAll(&head, 1500, 5000, Name("up")).size(), 1u);  // time range
  EXPECT_EQ(head.Stats().samples_appended, 3u);
  EXPECT_EQ(head.MinTime(), 1000);
  EXPECT_EQ(head.MaxTime(), 2000);
}

TEST(Head, RejectionsAreTypedAndCounted) {
  Head head;
  auto app = head.NewAppender();
  const Labels l = L({{"__name__", "x"}});
  auto ref = app->Append(0, l, 1000, 1);
  ASSERT_TRUE(ref.ok());
  // In-batch: out of order and duplicate are caught at Append.
  EXPECT_EQ(app->Append(*ref, {}, 999, 1).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(app->Append(*ref, {}, 1000, 2).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(app->Append(*ref, {}, 1000, 1).ok());  // exact duplicate: ignored
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(app->Append(*ref, {}, 500, 1).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(app->Append(*ref, {}, 1000, 3).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(app->Append(0, L({{"job", "nameless"}}), 1000, 3).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(app->Append(0, Labels(), 1000, 3).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(app->Append(12345, {}, 1000, 3).status().code(), absl::StatusCode::kNotFound);
  // Far behind the newest sample: out of bounds.
  ASSERT_TRUE(app->Append(*ref, {}, 10 * 3600 * 1000, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(app->Append(0, L({{"__name__", "y"}}), 1000, 1).status().code(),
            absl::StatusCode::kOutOfRange);
  HeadStats s = head.Stats();
  EXPECT_EQ(s.out_of_order, 2u);
  EXPECT_EQ(s.duplicate, 2u);
  EXPECT_EQ(s.invalid_labels, 2u);
  EXPECT_EQ(s.unknown_ref, 1u);
  EXPECT_EQ(s.out_of_bounds, 1u);
  EXPECT_EQ(s.samples_appended, 2u);
}

TEST(Head, RollbackDiscards) {
  Head head;
  auto app = head.NewAppender();
  auto ref = app->Append(0, L({{"__name__", "x"}}), 1000, 1);
  ASSERT_TRUE(ref.ok());
  ASSERT_TRUE(app->Rollback().ok());
  EXPECT_TRUE(SelectAll(&head, 0, 5000, Name("x")).empty());
  // After a rollback the pending state is gone: an older t is fine.
  ASSERT_TRUE(app->Append(*ref, {}, 900, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(SelectAll(&head, 0, 5000, Name("x")).size(), 1u);
}

TEST(Head, ChunksCutAtCountAndRangeBoundary) {
  HeadOptions opts;
  opts.chunk_range_ms = 100000;
  opts.samples_per_chunk = 120;
  Head head(opts);
  auto app = head.NewAppender();
  auto ref = app->Append(0, L({{"__name__", "x"}}), 0, 0);
  ASSERT_TRUE(ref.ok());
  for (int i = 1; i < 1000; ++i) {
    ASSERT_TRUE(app->Append(*ref, {}, i * 100, std::bit_cast<double>(uint64_t{0x7ff0000000000002ull} + (i % 2))).ok());
  }
  ASSERT_TRUE(app->Commit().ok());
  // 1000 samples at 100 ms: boundaries at multiples of 100000 ms (every 1000
  // samples) and every 120 samples -> ceil(1000/120) = 9 chunks, 8 cuts.
  EXPECT_EQ(head.Stats().chunks_cut, 8u);
  auto got = SelectAll(&head, 0, 1000000, Name("x"));
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].samples.size(), 1000u);
  for (int i = 1; i < 1000; ++i) {
    EXPECT_EQ(std::bit_cast<uint64_t>(got[0].samples[i].value), 0x7ff0000000000002ull + (i % 2));
  }
  // Crossing a range boundary cuts even a short chunk.
  ASSERT_TRUE(app->Append(*ref, {}, 100000, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(head.Stats().chunks_cut, 9u);
  // Seek across chunks.
  auto q = head.NewQuerier();
  auto set = (*q)->Select(0, 1000000, Name("x"));
  ASSERT_TRUE(set->Next());
  auto it = set->At().NewIterator();
  ASSERT_TRUE(it->Seek(55555));
  EXPECT_EQ(it->At().t_ms, 55600);
  ASSERT_TRUE(it->Seek(99950));
  EXPECT_EQ(it->At().t_ms, 100000);
  EXPECT_FALSE(it->Next());
}

// Chunks end where the first sample at or past a multiple of chunk_range_ms
// would go in (floor division for negative times), or at samples_per_chunk;
// the series keeps a lower bound of the time left to that boundary so most
// appends skip the division. Checked against the rule computed directly, for
// steps below and above the bound, negative times, and ranges past 2^32 ms.
TEST(Head, RangeBoundaryCutsMatchTheDirectRule) {
  auto next_boundary = [](int64_t t, int64_t range) {
    int64_t q = t / range;
    if (t % range != 0 && t < 0) --q;
    return (q + 1) * range;
  };
  struct Case {
    int64_t range;
    int64_t start;
    int64_t max_step;
    int samples_per_chunk;
  };
  const Case cases[] = {
      {7000, -50000, 5000, 1000},           {1000, -3500, 1000, 1000},
      {100000, 123, 40000, 3},              {10'000'000'000, -30'000'000'000, 1'500'000'000, 1000},
      {10'000'000'000, 1, 9'000'000'000, 5}, {2 * 3600 * 1000, 1'700'000'000'000, 15000, 120},
  };
  std::mt19937_64 rng(7);
  for (const Case& c : cases) {
    HeadOptions opts;
    opts.chunk_range_ms = c.range;
    opts.samples_per_chunk = c.samples_per_chunk;
    Head head(opts);
    auto app = head.NewAppender();
    auto ref = app->Append(0, L({{"__name__", "x"}}), c.start, 0);
    ASSERT_TRUE(ref.ok());
    ASSERT_TRUE(app->Commit().ok());
    uint64_t want_cuts = 0;
    int64_t chunk_min = c.start, t = c.start;
    int in_chunk = 1;
    for (int i = 1; i < 3000; ++i) {
      // Steps of exactly the range and 1 ms as well as random ones.
      const int64_t step = i % 97 == 0 ? c.range : i % 89 == 0 ? 1 : 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(c.max_step));
      t += step;
      if (in_chunk >= c.samples_per_chunk || t >= next_boundary(chunk_min, c.range)) {
        ++want_cuts;
        chunk_min = t;
        in_chunk = 0;
      }
      ++in_chunk;
      ASSERT_TRUE(app->Append(*ref, {}, t, static_cast<double>(i)).ok()) << c.range << " " << t;
      if (i % 7 == 0) {
        ASSERT_TRUE(app->Commit().ok());
      }
    }
    ASSERT_TRUE(app->Commit().ok());
    EXPECT_EQ(head.Stats().chunks_cut, want_cuts) << "range " << c.range;
    EXPECT_EQ(head.Stats().samples_appended, 3000u);
  }
}

TEST(Head, FileBackedFullChunks) {
  std::string tmpl = testing::TempDir() + "promlet_head_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  const std::string dir = tmpl;
  {
    HeadOptions opts;
    opts.chunk_dir = dir;
    opts.chunk_range_ms = 1000000;
    opts.samples_per_chunk = 10;
    Head head(opts);
    auto app = head.NewAppender();
    auto ref = app->Append(0, L({{"__name__", "x"}}), 0, 0);
    ASSERT_TRUE(ref.ok());
    for (int i = 1; i < 500; ++i) ASSERT_TRUE(app->Append(*ref, {}, i * 10, i * 0.5).ok());
    ASSERT_TRUE(app->Commit().ok());
    EXPECT_EQ(head.Stats().chunks_cut, 49u);
    auto got = SelectAll(&head, 0, 100000, Name("x"));
    ASSERT_EQ(got.size(), 1u);
    ASSERT_EQ(got[0].samples.size(), 500u);
    for (int i = 0; i < 500; ++i) EXPECT_EQ(got[0].samples[i].value, i * 0.5);
    struct stat st;
    EXPECT_EQ(stat((dir + "/chunks_000000").c_str(), &st), 0);
  }
  // The arena removes its files.
  struct stat st;
  EXPECT_NE(stat((dir + "/chunks_000000").c_str(), &st), 0);
  rmdir(dir.c_str());
}

TEST(Head, TruncateDropsOldChunksAndSeries) {
  HeadOptions opts;
  opts.chunk_range_ms = 10000;
  Head head(opts);
  auto app = head.NewAppender();
  auto old_ref = app->Append(0, L({{"__name__", "old"}}), 1000, 1);
  auto live = app->Append(0, L({{"__name__", "live"}}), 1000, 1);
  ASSERT_TRUE(old_ref.ok() && live.ok());
  ASSERT_TRUE(app->Commit().ok());
  for (int t = 2000; t <= 25000; t += 1000) {
    ASSERT_TRUE(app->Append(*live, {}, t, t).ok());
    ASSERT_TRUE(app->Commit().ok());
  }
  {
    auto q = head.NewQuerier();  // a reader holding chunks across Truncate
    auto set = (*q)->Select(0, 100000, Name("live"));
    head.Truncate(20000);
    ASSERT_TRUE(set->Next());
    auto it = set->At().NewIterator();
    int n = 0;
    while (it->Next()) ++n;
    EXPECT_EQ(n, 25);  // the old snapshot still reads
  }
  EXPECT_EQ(head.NumSeries(), 1u);
  EXPECT_EQ(head.Stats().series_removed, 1u);
  auto got = SelectAll(&head, 0, 100000, Name("live"));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].samples.front().t_ms, 20000);
  EXPECT_EQ(head.MinTime(), 20000);
  EXPECT_TRUE(SelectAll(&head, 0, 100000, Name("old")).empty());
  // A truncated ref is unknown; with labels it is re-created.
  EXPECT_EQ(app->Append(*old_ref, {}, 26000, 1).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(app->Append(*old_ref, L({{"__name__", "old"}}), 26000, 1).ok());
  EXPECT_EQ(app->Append(0, L({{"__name__", "x"}}), 19000, 1).status().code(),
            absl::StatusCode::kOutOfRange);
}

// Open chunks spill into arena slots and full chunks are chained there;
// chunks whose bytes per sample grow late outgrow their slot and move. Every
// sample must read back, before and after truncations, file-backed or not.
void CheckSpilledAndChainedChunks(const std::string& chunk_dir) {
  HeadOptions opts;
  opts.chunk_dir = chunk_dir;
  opts.chunk_range_ms = 200000;
  Head head(opts);
  std::mt19937_64 rng(42);
  constexpr int kSeries = 30, kSamples = 1000;
  std::vector<std::vector<Sample>> want(kSeries);
  std::vector<SeriesRef> refs(kSeries, 0);
  for (int t = 0; t < kSamples; ++t) {
    auto app = head.NewAppender();
    for (int i = 0; i < kSeries; ++i) {
      // Cheap samples first in each chunk, then random bits for some series.
      const bool noisy = i % 3 == 0 && t % 120 > 40;
      const double v = noisy ? std::bit_cast<double>(rng()) : static_cast<double>(t / 7 + i);
      if (std::isnan(v)) continue;
      auto r = app->Append(refs[i], L({{"__name__", "s"}, {"i", std::to_string(i)}}),
                           t * 1000 + i, v);
      ASSERT_TRUE(r.ok());
      refs[i] = *r;
      want[i].push_back({t * 1000 + i, v});
    }
    ASSERT_TRUE(app->Commit().ok());
  }
  // After Truncate(bound) a series keeps a suffix of its samples that holds
  // every sample at or after bound (whole chunks are dropped).
  auto check = [&](int64_t bound) {
    auto got = SelectAll(&head, 0, 1 << 30, Name("s"));
    ASSERT_EQ(got.size(), static_cast<size_t>(kSeries));
    for (const Got& g : got) {
      const int i = std::stoi(g.labels.substr(g.labels.find("i=\"") + 3));
      ASSERT_FALSE(g.samples.empty());
      size_t k = 0;
      while (k < want[i].size() && want[i][k].t_ms < g.samples.front().t_ms) ++k;
      ASSERT_TRUE(k == 0 || want[i][k - 1].t_ms < bound) << g.labels;
      ASSERT_EQ(g.samples.size(), want[i].size() - k) << g.labels;
      for (size_t j = 0; j < g.samples.size(); ++j, ++k) {
        ASSERT_EQ(g.samples[j].t_ms, want[i][k].t_ms);
        ASSERT_EQ(std::bit_cast<uint64_t>(g.samples[j].value),
                  std::bit_cast<uint64_t>(want[i][k].value));
      }
    }
  };
  check(0);
  head.Truncate(333000);
  check(333000);
  head.Truncate(999000);
  check(999000);
}

// The encoder writes whole words into a ChunkBuf (ExtendWord) and bytes
// into a std::string: the chunks must be byte-identical, whatever the
// sample shapes (every timestamp and value code width).
TEST(ChunkBuf, XorChunkSameAsInAString) {
  std::mt19937_64 rng(11);
  for (int chunk = 0; chunk < 300; ++chunk) {
    ChunkBuf buf;
    std::string str;
    chunkenc::XorAppender a, b;
    a.Reset(&buf);
    b.Reset(&str);
    int64_t t = static_cast<int64_t>(rng() % 2000000) - 1000000;
    double v = 0;
    for (int i = 0; i < 120; ++i) {
      const int shape = static_cast<int>(rng() % 6);
      t += shape == 0 ? 15000 : shape == 1 ? static_cast<int64_t>(rng() % (1 << 22))
                                           : static_cast<int64_t>(rng() % 100);
      v = shape == 2   ? v
          : shape == 3 ? std::bit_cast<double>(rng())
          : shape == 4 ? v + static_cast<double>(rng() % 1000) * 0.001
                       : static_cast<double>(rng() % 10);
      a.Append(&buf, t, v);
      b.Append(&str, t, v);
      ASSERT_EQ(buf.view(), str) << chunk << " " << i;
    }
  }
}

// Open-chunk pieces of many series, interleaved and over several stage
// flushes and log pages, join back into each series' exact bytes; released
// pieces let their log pages go.
void CheckPiecesJoin(const std::string& dir) {
  ChunkArena arena(dir);
  const char* prev = arena.Add(nullptr, 1, 2, "xy");
  constexpr int kSeries = 40;
  std::vector<const char*> last(kSeries, nullptr);
  std::vector<std::string> want(kSeries);
  std::mt19937 rng(7);
  // Many stage flushes (ChunkArena::kStageBytes) and more than one log
  // page: ~2.4 MB in memory (1 MB pages), ~19 MB in files (16 MB pages).
  const int rounds = dir.empty() ? 1000 : 8000;
  for (int round = 0; round < rounds; ++round) {
    for (int i = 0; i < kSeries; ++i) {
      std::string part(1 + rng() % 120, '\0');
      for (char& c : part) c = static_cast<char>(rng());
      arena.Spill(&last[i], part);
      want[i] += part;
      if (round % 97 == i % 97) {  // read back an open chunk, as a query does
        std::string got(want[i].size(), '\0');
        arena.ReadSpilled(last[i], want[i].size(), got.data());
        ASSERT_EQ(got, want[i]) << i;
      }
    }
  }
  for (int i = 0; i < kSeries; ++i) {
    if (i % 4 == 3) {
      arena.Abandon(last[i], want[i].size());
      continue;
    }
    const char* rec =
        arena.AddSpilled(last[i], want[i].size(), prev, 10 + i, 20 + i, "NN", "tail");
    const ChunkRecord r = ChunkArena::Read(rec);
    EXPECT_EQ(r.prev, prev);
    EXPECT_EQ(r.min_t, 10 + i);
    EXPECT_EQ(r.max_t, 20 + i);
    ASSERT_EQ(r.bytes, "NN" + want[i] + "tail") << i;
  }
  EXPECT_EQ(ChunkArena::Read(prev).bytes, "xy");
  // Every piece is released: only the pages being filled stay.
  const size_t before = arena.MappedBytes();
  ChunkArena::Release(arena.DetachBefore(std::numeric_limits<int64_t>::max()));
  EXPECT_LE(arena.MappedBytes(), 2 * ChunkArena::kFilePageBytes);
  EXPECT_LT(arena.MappedBytes(), before);
}

TEST(ChunkArena, PiecesJoinInMemory) { CheckPiecesJoin(""); }

TEST(ChunkArena, PiecesJoinInFiles) {
  std::string tmpl = testing::TempDir() + "promlet_arena_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  CheckPiecesJoin(tmpl);
  rmdir(tmpl.c_str());
}

// A stage write that fails (here a file size limit, as a full disk would)
// keeps its pieces readable from memory, and later pieces go to anonymous
// pages: nothing of an open chunk is lost.
TEST(ChunkArena, FailedStageWriteKeepsPieces) {
  std::string tmpl = testing::TempDir() + "promlet_arena_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  {
    ChunkArena arena(tmpl);
    const char* last = nullptr;
    std::string want;
    auto spill = [&](int n) {
      for (int i = 0; i < n; ++i) {
        const std::string part(50 + i % 13, static_cast<char>('a' + i % 26));
        arena.Spill(&last, part);
        want += part;
      }
    };
    spill(10);  // staged in a file page
    rlimit old;
    ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
    const sighandler_t old_handler = signal(SIGXFSZ, SIG_IGN);
    rlimit small = old;
    small.rlim_cur = 16 << 10;
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
    spill(3000);  // ~170 KB: flushes fail past 16 KB
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, old_handler);
    spill(10);
    std::string got(want.size(), '\0');
    arena.ReadSpilled(last, want.size(), got.data());
    EXPECT_TRUE(got == want);  // not EXPECT_EQ: 170 KB of bytes
    const char* rec = arena.AddSpilled(last, want.size(), nullptr, 1, 2, "NN", "t");
    EXPECT_TRUE(ChunkArena::Read(rec).bytes == "NN" + want + "t");
  }
  rmdir(tmpl.c_str());
}

TEST(Head, SpilledAndChainedChunksInMemory) { CheckSpilledAndChainedChunks(""); }

TEST(Head, SpilledAndChainedChunksInFiles) {
  std::string tmpl = testing::TempDir() + "promlet_head_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  CheckSpilledAndChainedChunks(tmpl);
  rmdir(tmpl.c_str());
}

TEST(Head, LabelNamesValuesAndCardinality) {
  Head head;
  auto app = head.NewAppender();
  ASSERT_TRUE(app->Append(0, L({{"__name__", "up"}, {"job", "a"}, {"zone", "z1"}}), 1, 1).ok());
  ASSERT_TRUE(app->Append(0, L({{"__name__", "up"}, {"job", "b"}}), 1, 1).ok());
  ASSERT_TRUE(app->Append(0, L({{"__name__", "go_gc"}, {"job", "a"}}), 1, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  auto q = *head.NewQuerier();
  EXPECT_EQ(*q->LabelNames(0, 10, {}), (std::vector<std::string>{"__name__", "job", "zone"}));
  EXPECT_EQ(*q->LabelNames(0, 10, {Matcher::Equal("job", "b")}),
            (std::vector<std::string>{"__name__", "job"}));
  EXPECT_EQ(*q->LabelValues("job", 0, 10, {}), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*q->LabelValues("job", 0, 10, Name("go_gc")), (std::vector<std::string>{"a"}));
  index::CardinalityStats c = head.Cardinality(10);
  EXPECT_EQ(c.num_series, 3u);
  using E = index::CardinalityStats::Entry;
  EXPECT_EQ(c.series_count_by_metric_name, (std::vector<E>{{"up", 2}, {"go_gc", 1}}));
  EXPECT_EQ(c.label_value_count_by_label_name.front(), (E{"__name__", 2}));
  EXPECT_EQ(c.series_count_by_label_value_pair[0], (E{"__name__=up", 2}));
  EXPECT_EQ(c.series_count_by_label_value_pair[1], (E{"job=a", 2}));
  // bytes: __name__ = 2*len(up) + len(go_gc) = 9.
  EXPECT_EQ(c.memory_in_bytes_by_label_name.front(), (E{"__name__", 9}));
}

TEST(Head, MatchesMemStorageOnRandomAppends) {
  const unsigned seed = std::random_device{}();
  std::printf("seed=%u\n", seed);
  std::mt19937 rng(seed);
  Head head;
  MemStorage model;
  std::vector<Labels> series;
  for (int i = 0; i < 20; ++i) {
    series.push_back(L({{"__name__", i % 3 == 0 ? "a" : "b"},
                        {"i", std::to_string(i)},
                        {"m", std::to_string(i % 4)}}));
  }
  std::vector<int64_t> last(series.size(), 0);
  for (int batch = 0; batch < 200; ++batch) {
    auto happ = head.NewAppender();
    for (int k = 0, n = rng() % 30; k < n; ++k) {
      const size_t i = rng() % series.size();
      int64_t t = last[i] + static_cast<int64_t>(rng() % 2000) - 200;
      const double v = (rng() % 10 == 0) ? StaleNaN() : static_cast<double>(rng() % 5);
      auto r = happ->Append(0, series[i], t, v);
      if (r.ok()) {
        // Commit each accepted sample to the model on its own, so the model
        // checks the same ordering rules sample by sample.
        auto mapp = model.NewAppender();
        ASSERT_TRUE(mapp->Append(0, series[i], t, v).ok());
        ASSERT_TRUE(mapp->Commit().ok()) << "head accepted a sample the model rejects";
        last[i] = std::max(last[i], t);
      }
    }
    ASSERT_TRUE(happ->Commit().ok());
  }
  for (const Matchers& ms : std::vector<Matchers>{
           Name("a"), Name("b"), {Matcher::Equal("m", "1")},
           {*Matcher::Make(MatchType::kRegexMatch, "i", "1.*"), Matcher::NotEqual("m", "2")}}) {
    for (auto [mint, maxt] : std::vector<std::pair<int64_t, int64_t>>{{0, 1 << 30}, {5000, 20000}}) {
      auto want = SelectAll(&model, mint, maxt, ms);
      auto got = SelectAll(&head, mint, maxt, ms);
      ASSERT_EQ(got.size(), want.size());
      for (size_t j = 0; j < got.size(); ++j) {
        EXPECT_EQ(got[j].labels, want[j].labels);
        ASSERT_EQ(got[j].samples.size(), want[j].samples.size()) << got[j].labels;
        for (size_t k = 0; k < got[j].samples.size(); ++k) {
          EXPECT_EQ(got[j].samples[k].t_ms, want[j].samples[k].t_ms);
          EXPECT_EQ(std::bit_cast<uint64_t>(got[j].samples[k].value),
                    std::bit_cast<uint64_t>(want[j].samples[k].value));
        }
      }
    }
  }
}

TEST(Head, ConcurrentAppendersAndQueriers) {
  Head head;
  constexpr int kThreads = 4, kSeries = 200, kRounds = 50;
  std::vector<std::thread> threads;
  for (int w = 0; w < kThreads; ++w) {
    threads.emplace_back([&, w] {
      auto app = head.NewAppender();
      std::vector<SeriesRef> refs(kSeries, 0);
      for (int r = 0; r < kRounds; ++r) {
        for (int i = 0; i < kSeries; ++i) {
          auto ref = app->Append(refs[i],
                                 refs[i] ? Labels() : L({{"__name__", "m"}, {"w", std::to_string(w)},
                                                         {"i", std::to_string(i)}}),
                                 r * 1000, r);
          ASSERT_TRUE(ref.ok());
          refs[i] = *ref;
        }
        ASSERT_TRUE(app->Commit().ok());
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 20; ++i) SelectAll(&head, 0, 1 << 30, Name("m"));
  });
  for (auto& t : threads) t.join();
  auto got = SelectAll(&head, 0, 1 << 30, Name("m"));
  ASSERT_EQ(got.size(), static_cast<size_t>(kThreads * kSeries));
  for (const Got& g : got) EXPECT_EQ(g.samples.size(), static_cast<size_t>(kRounds));
}

// The DB relies on had_samples to skip loading a series whose samples it
// logged before; ids are carried so the WAL encoder need not load them.
TEST(HeadAppender, PendingSamplesCarryIdAndWhetherCommittedBefore) {
  Head head;
  SeriesRef ref;
  {
    auto app = head.NewHeadAppender();
    auto r = app->Append(0, L({{"__name__", "m"}, {"a", "1"}}), 1000, 1.0);
    ASSERT_TRUE(r.ok());
    ref = *r;
    ASSERT_EQ(app->pending().size(), 1u);
    EXPECT_EQ(app->pending()[0].id, ref);
    EXPECT_FALSE(app->pending()[0].had_samples);
    ASSERT_TRUE(app->Append(ref, {}, 2000, 2.0).ok());
    EXPECT_FALSE(app->pending()[1].had_samples) << "pending samples are not committed ones";
    ASSERT_TRUE(app->Commit().ok());
  }
  {
    // Dropped with a pending sample: rolled back, and the next appender on
    // this thread (which reuses the buffer) starts empty.
    auto app = head.NewHeadAppender();
    ASSERT_TRUE(app->Append(ref, {}, 3000, 3.0).ok());
  }
  auto app = head.NewHeadAppender();
  EXPECT_TRUE(app->pending().empty());
  ASSERT_TRUE(app->Append(ref, {}, 3000, 3.0).ok());
  ASSERT_EQ(app->pending().size(), 1u);
  EXPECT_EQ(app->pending()[0].id, ref);
  EXPECT_TRUE(app->pending()[0].had_samples);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(head.Stats().samples_appended, 3u);
}

// Series share locks by runs of ids (StripeSeries::SeriesLock), and Commit
// holds one over a run of samples: batches in shuffled id order, with
// repeated series, across many runs (and two appenders of one thread
// interleaved) must commit exactly what they would with a lock per series.
TEST(Head, CommitAcrossSharedSeriesLocks) {
  Head head;
  constexpr int kSeries = 1000;  // ~16 lock runs
  std::vector<SeriesRef> refs;
  {
    auto app = head.NewAppender();
    for (int i = 0; i < kSeries; ++i) {
      auto r = app->Append(0, L({{"__name__", "s"}, {"i", std::to_string(i)}}), 0, i);
      ASSERT_TRUE(r.ok());
      refs.push_back(*r);
    }
    ASSERT_TRUE(app->Commit().ok());
  }
  std::mt19937 rng(5);
  std::vector<int> order(kSeries);
  for (int i = 0; i < kSeries; ++i) order[i] = i;
  for (int round = 1; round <= 3; ++round) {
    std::shuffle(order.begin(), order.end(), rng);
    auto a = head.NewAppender();
    auto b = head.NewAppender();
    for (int k = 0; k < kSeries; ++k) {
      const int i = order[k];
      // Even series get two samples from a, odd ones one from b.
      Appender* app = i % 2 == 0 ? a.get() : b.get();
      ASSERT_TRUE(app->Append(refs[i], {}, round * 1000, i + round).ok());
      if (i % 2 == 0) {
        ASSERT_TRUE(app->Append(refs[i], {}, round * 1000 + 500, -i).ok());
      }
    }
    ASSERT_TRUE(b->Commit().ok());
    ASSERT_TRUE(a->Commit().ok());
  }
  const auto got = SelectAll(&head, 0, 10000, Name("s"));
  ASSERT_EQ(got.size(), static_cast<size_t>(kSeries));
  size_t total = 0;
  for (const Got& g : got) {
    const int i = std::stoi(g.labels.substr(g.labels.find("i=\"") + 3));
    ASSERT_EQ(g.samples.size(), i % 2 == 0 ? 7u : 4u) << g.labels;
    EXPECT_EQ(g.samples[0].value, i);
    for (int round = 1; round <= 3; ++round) {
      const Sample& first = g.samples[i % 2 == 0 ? 2 * round - 1 : round];
      EXPECT_EQ(first.t_ms, round * 1000);
      EXPECT_EQ(first.value, i + round);
      if (i % 2 == 0) {
        EXPECT_EQ(g.samples[2 * round].t_ms, round * 1000 + 500);
        EXPECT_EQ(g.samples[2 * round].value, -i);
      }
    }
    total += g.samples.size();
  }
  EXPECT_EQ(head.Stats().samples_appended, total);
}

}  // namespace
}  // namespace promlet::storage::head
