#include "storage/block/block_reader.h"

#include <algorithm>
#include <deque>

#include "absl/base/optimization.h"
#include "absl/strings/str_cat.h"
#include "base/logging.h"
#include "base/status_macros.h"
#include "storage/block/block_format.h"

namespace promlet::storage::block {
namespace {

// Decoded samples of one chunk. Iterators borrow them from the set's pool:
// one 8 KiB allocation per iterator (two per series with DBQuerier's
// emptiness probe) was a visible share of a query's time.
struct SampleBuffers {
  int64_t ts[kMaxChunkSamples];
  double vs[kMaxChunkSamples];
};

// Thread-compatible, like the PageCache it sits beside.
class SampleBufferPool {
 public:
  std::unique_ptr<SampleBuffers> Get() {
    if (free_.empty()) return std::make_unique<SampleBuffers>();
    std::unique_ptr<SampleBuffers> b = std::move(free_.back());
    free_.pop_back();
    return b;
  }
  void Put(std::unique_ptr<SampleBuffers> b) {
    if (free_.size() < kMaxFree) free_.push_back(std::move(b));
  }

 private:
  static constexpr size_t kMaxFree = 4;
  std::vector<std::unique_ptr<SampleBuffers>> free_;
};

// Iterates one series' chunks. A chunk is read from the first sample the
// iterator needs (Select's mint or the Seek target) to Select's maxt; its values
// are decoded on the first At(), so an emptiness probe that only calls
// Next() decodes no values. No allocation per sample.
class BlockSeriesIterator : public SeriesIterator {
 public:
  BlockSeriesIterator(PageCache* cache, SampleBufferPool* pool, const std::vector<ChunkMeta>* chunks,
                      int64_t mint_ms, int64_t maxt_ms)
      : cache_(cache),
        pool_(pool),
        buffers_(pool->Get()),
        ts_(buffers_->ts),
        vs_(buffers_->vs),
        chunks_(chunks),
        mint_(mint_ms),
        maxt_(maxt_ms) {}
  ~BlockSeriesIterator() override { pool_->Put(std::move(buffers_)); }
  BlockSeriesIterator(const BlockSeriesIterator&) = delete;
  BlockSeriesIterator& operator=(const BlockSeriesIterator&) = delete;

  bool Next() override {
    if (done_) return false;
    if (++i_ < n_) return Check();
    if (!LoadChunk(mint_)) return false;
    return Check();
  }

  bool Seek(int64_t t_ms) override {
    if (done_) return false;
    t_ms = std::max(t_ms, mint_);
    if (i_ < n_ && ts_[i_] >= t_ms) return true;
    if (n_ > 0 && ts_[n_ - 1] >= t_ms) {
      i_ = static_cast<size_t>(std::lower_bound(ts_ + i_, ts_ + n_, t_ms) - ts_);
      return Check();
    }
    if (!LoadChunk(t_ms)) return false;
    return Check();
  }

  Sample At() const override {
    if (ABSL_PREDICT_FALSE(!values_loaded_)) LoadValues();
    return {ts_[i_], vs_[i_]};
  }

  // Copies from the loaded chunk only (up to maxt); the next call loads
  // the next chunk.
  size_t NextBatch(Sample* out, size_t max) override {
    if (max == 0 || !Next()) return 0;
    if (ABSL_PREDICT_FALSE(!values_loaded_)) LoadValues();
    // Samples past maxt stay for Next() to stop on.
    const size_t end = static_cast<size_t>(
        std::upper_bound(ts_ + i_ + 1, ts_ + std::min(n_, i_ + max), maxt_) - ts_);
    const size_t k = end - i_;
    for (size_t j = 0; j < k; ++j) out[j] = {ts_[i_ + j], vs_[i_ + j]};
    i_ = end - 1;
    return k;
  }
  absl::Status status() const override { return status_; }

 private:
  bool Check() {
    if (ts_[i_] > maxt_) return Stop();
    return true;
  }
  bool Stop() {
    done_ = true;
    return false;
  }
  // Loads the timestamps in [t, maxt] of the next chunk that has any; positions on the first.
  bool LoadChunk(int64_t t) {
    while (next_chunk_ < chunks_->size()) {
      const ChunkMeta& c = (*chunks_)[next_chunk_++];
      if (c.max_time_ms < t) continue;
      if (c.min_time_ms > maxt_) return Stop();
      values_loaded_ = false;
      chunk_ref_ = c.ref;
      status_ = cache_->ReadTimestamps(c.ref, t, maxt_, ts_, &n_, &first_);
      if (!status_.ok()) {
        n_ = 0;
        return Stop();
      }
      i_ = 0;
      if (n_ > 0) return true;
    }
    n_ = 0;
    return Stop();
  }
  // Decodes the values of the loaded samples; on corruption they read as 0
  // and the iteration ends with the error in status().
  void LoadValues() const {
    values_loaded_ = true;
    status_ = cache_->ReadValues(chunk_ref_, first_, n_, vs_);
    if (!status_.ok()) {
      std::fill(vs_, vs_ + n_, 0.0);
      done_ = true;
    }
  }

  PageCache* cache_;
  SampleBufferPool* pool_;
  std::unique_ptr<SampleBuffers> buffers_;
  int64_t* const ts_;
  double* const vs_;
  const std::vector<ChunkMeta>* chunks_;
  const int64_t mint_, maxt_;
  size_t next_chunk_ = 0;
  size_t i_ = 0, n_ = 0;
  size_t first_ = 0;  // index in the chunk of ts_[0]
  uint64_t chunk_ref_ = 0;
  mutable bool values_loaded_ = false;
  mutable bool done_ = false;
  mutable absl::Status status_;
};

class BlockSeries : public Series {
 public:
  BlockSeries(PageCache* cache, SampleBufferPool* pool, Labels labels, std::vector<ChunkMeta> chunks,
              int64_t mint_ms, int64_t maxt_ms)
      : cache_(cache),
        pool_(pool),
        labels_(std::move(labels)),
        chunks_(std::move(chunks)),
        mint_(mint_ms),
        maxt_(maxt_ms) {}
  const Labels& labels() const override { return labels_; }
  std::unique_ptr<SeriesIterator> NewIterator() const override {
    return std::make_unique<BlockSeriesIterator>(cache_, pool_, &chunks_, mint_, maxt_);
  }

 private:
  PageCache* cache_;
  SampleBufferPool* pool_;
  Labels labels_;
  std::vector<ChunkMeta> chunks_;
  int64_t mint_, maxt_;
};

class BlockSeriesSet : public SeriesSet {
 public:
  BlockSeriesSet(const BlockReader* block, std::vector<uint32_t> ids, int64_t mint_ms, int64_t maxt_ms)
      : block_(block), cache_(&block->chunks()), ids_(std::move(ids)), mint_(mint_ms), maxt_(maxt_ms) {}

  bool Next() override {
    Labels labels;
    while (pos_ < ids_.size()) {
      block_->index().Series(ids_[pos_++], &labels, &scratch_);
      std::vector<ChunkMeta> chunks;
      for (const ChunkMeta& c : scratch_) {
        if (c.max_time_ms >= mint_ && c.min_time_ms <= maxt_) chunks.push_back(c);
      }
      if (chunks.empty()) continue;
      series_.emplace_back(&cache_, &pool_, std::move(labels), std::move(chunks), mint_, maxt_);
      return true;
    }
    return false;
  }
  const Series& At() const override { return series_.back(); }

 private:
  const BlockReader* block_;
  PageCache cache_;
  SampleBufferPool pool_;  // outlives the iterators, which the caller drops before the set
  std::vector<uint32_t> ids_;
  const int64_t mint_, maxt_;
  size_t pos_ = 0;
  std::vector<ChunkMeta> scratch_;
  std::deque<BlockSeries> series_;  // At() results stay valid until destruction
};

void Intersect(std::vector<uint32_t>* a, const std::vector<uint32_t>& b) {
  auto out = a->begin();
  auto i = a->begin();
  auto j = b.begin();
  while (i != a->end() && j != b.end()) {
    if (*i < *j) {
      ++i;
    } else if (*j < *i) {
      ++j;
    } else {
      *out++ = *i++;
      ++j;
    }
  }
  a->erase(out, a->end());
}

void Subtract(std::vector<uint32_t>* a, const std::vector<uint32_t>& b) {
  auto out = a->begin();
  auto j = b.begin();
  for (auto i = a->begin(); i != a->end(); ++i) {
    while (j != b.end() && *j < *i) ++j;
    if (j == b.end() || *j != *i) *out++ = *i;
  }
  a->erase(out, a->end());
}

}  // namespace

absl::StatusOr<std::unique_ptr<BlockReader>> BlockReader::Open(const std::string& dir) {
  ASSIGN_OR_RETURN(BlockMeta meta, ReadMetaFile(dir));
  auto wrap = [&](const absl::Status& s) {
    return absl::IsNotFound(s) ? absl::DataLossError(absl::StrCat(dir, ": ", s.message())) : s;
  };
  auto index_file = MappedFile::Open(dir + "/" + kIndexFileName);
  if (!index_file.ok()) return wrap(index_file.status());
  auto chunk_file = MappedFile::Open(dir + "/" + kChunkFileName);
  if (!chunk_file.ok()) return wrap(chunk_file.status());
  auto index = IndexReader::Open((*index_file)->data(), meta.min_time_ms);
  if (!index.ok()) return absl::DataLossError(absl::StrCat(dir, ": ", index.status().message()));
  auto chunks = ChunkFileReader::Open((*chunk_file)->data());
  if (!chunks.ok()) return absl::DataLossError(absl::StrCat(dir, ": ", chunks.status().message()));
  if (index->num_series() != meta.stats.num_series) {
    return absl::DataLossError(absl::StrCat(dir, ": index has ", index->num_series(),
                                            " series, meta.json says ", meta.stats.num_series));
  }
  std::unique_ptr<BlockReader> r(new BlockReader(dir, std::move(meta), std::move(*index_file),
                                                 std::move(*chunk_file), std::move(*index), *chunks));
  r->size_bytes_ = DirSizeBytes(dir);
  return r;
}

void BlockReader::PostingsForMatchers(const Matchers& matchers, std::vector<uint32_t>* out) const {
  out->clear();
  bool have = false;
  std::vector<uint32_t> ids;
  // Union of the postings of `name`'s values for which want(value) holds.
  auto collect = [&](const Matcher& m, bool want) {
    ids.clear();
    const IndexReader::NameEntry* ne = index_.FindName(m.name());
    if (ne == nullptr) return;
    if (want && m.type() == MatchType::kEqual) {
      index_.Postings(m.name(), m.value(), &ids);
      return;
    }
    size_t lists = 0;
    for (const IndexReader::ValueEntry& v : ne->values) {
      if (m.Matches(v.value) == want) {
        index_.AppendPostings(v, &ids);
        ++lists;
      }
    }
    if (lists > 1) {
      std::sort(ids.begin(), ids.end());
      ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    }
  };
  for (const Matcher& m : matchers) {
    if (m.MatchesEmpty()) continue;
    collect(m, true);
    if (!have) {
      out->swap(ids);
      have = true;
    } else {
      Intersect(out, ids);
    }
    if (out->empty()) return;
  }
  if (!have) {
    out->resize(index_.num_series());
    for (uint32_t i = 0; i < out->size(); ++i) (*out)[i] = i;
  }
  // Matchers that accept an absent label remove series whose value fails them.
  for (const Matcher& m : matchers) {
    if (!m.MatchesEmpty()) continue;
    collect(m, false);
    Subtract(out, ids);
  }
}

std::unique_ptr<SeriesSet> BlockReader::SelectIds(std::vector<uint32_t> ids, int64_t mint_ms,
                                                  int64_t maxt_ms) const {
  return std::make_unique<BlockSeriesSet>(this, std::move(ids), mint_ms, maxt_ms);
}

std::unique_ptr<SeriesSet> BlockReader::Select(int64_t mint_ms, int64_t maxt_ms, const Matchers& matchers) {
  if (!Overlaps(mint_ms, maxt_ms)) return EmptySeriesSet();
  std::vector<uint32_t> ids;
  PostingsForMatchers(matchers, &ids);
  return SelectIds(std::move(ids), mint_ms, maxt_ms);
}

std::unique_ptr<SeriesSet> BlockReader::SelectAll(int64_t mint_ms, int64_t maxt_ms) const {
  std::vector<uint32_t> ids;
  PostingsForMatchers({}, &ids);
  return SelectIds(std::move(ids), mint_ms, maxt_ms);
}

absl::StatusOr<std::vector<std::string>> BlockReader::LabelNames(int64_t mint_ms, int64_t maxt_ms,
                                                                 const Matchers& matchers) {
  std::vector<std::string> names;
  if (!Overlaps(mint_ms, maxt_ms)) return names;
  if (matchers.empty()) {
    for (const auto& ne : index_.names()) names.emplace_back(ne.name);
    return names;
  }
  std::vector<uint32_t> ids;
  PostingsForMatchers(matchers, &ids);
  Labels labels;
  std::vector<ChunkMeta> chunks;
  for (uint32_t id : ids) {
    index_.Series(id, &labels, &chunks);
    for (Label l : labels) names.emplace_back(l.name);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

absl::StatusOr<std::vector<std::string>> BlockReader::LabelValues(const std::string& name, int64_t mint_ms,
                                                                  int64_t maxt_ms, const Matchers& matchers) {
  std::vector<std::string> values;
  if (!Overlaps(mint_ms, maxt_ms)) return values;
  if (matchers.empty()) {
    if (const IndexReader::NameEntry* ne = index_.FindName(name)) {
      for (const auto& v : ne->values) values.emplace_back(v.value);
    }
    return values;
  }
  std::vector<uint32_t> ids;
  PostingsForMatchers(matchers, &ids);
  Labels labels;
  std::vector<ChunkMeta> chunks;
  for (uint32_t id : ids) {
    index_.Series(id, &labels, &chunks);
    std::string_view v = labels.Get(name);
    if (!v.empty()) values.emplace_back(v);
  }
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

absl::StatusOr<std::string> MoveAsideCorrupt(const std::string& dir, const absl::Status& why,
                                             base::Env* env) {
  std::string to = dir + kCorruptSuffix;
  RETURN_IF_ERROR(env->Rename(dir, to));
  LOG_ERROR("corrupt block moved aside; its samples are not served", "block", dir, "moved_to", to,
            "err", why.ToString());
  return to;
}

}  // namespace promlet::storage::block
