#include "storage/block/backfill.h"

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "base/status_macros.h"
#include "storage/block/file_util.h"
#include "storage/block/block_writer.h"

namespace promlet::storage::block {
namespace {

// A series over a span of a sample vector owned elsewhere.
class SpanIterator : public SeriesIterator {
 public:
  SpanIterator(const Sample* begin, const Sample* end) : p_(begin - 1), begin_(begin), end_(end) {}
  bool Next() override { return ++p_ < end_; }
  bool Seek(int64_t t_ms) override {
    if (p_ < begin_) p_ = begin_;
    if (p_ < end_ && p_->t_ms >= t_ms) return true;
    p_ = std::lower_bound(p_, end_, t_ms, [](const Sample& s, int64_t t) { return s.t_ms < t; });
    return p_ < end_;
  }
  Sample At() const override { return *p_; }

 private:
  const Sample* p_;
  const Sample* begin_;
  const Sample* end_;
};

class SpanSeries : public Series {
 public:
  SpanSeries(const Labels* labels, const Sample* begin, const Sample* end)
      : labels_(labels), begin_(begin), end_(end) {}
  const Labels& labels() const override { return *labels_; }
  std::unique_ptr<SeriesIterator> NewIterator() const override {
    return std::make_unique<SpanIterator>(begin_, end_);
  }

 private:
  const Labels* labels_;
  const Sample* begin_;
  const Sample* end_;
};

// Series in label order, each cut to [mint, maxt); one reused Series object.
class RangeSet : public SeriesSet {
 public:
  RangeSet(std::vector<std::pair<const Labels*, const std::vector<Sample>*>> series, int64_t mint,
           int64_t maxt)
      : series_(std::move(series)), mint_(mint), maxt_(maxt) {}
  bool Next() override {
    while (++pos_ < series_.size()) {
      const std::vector<Sample>& v = *series_[pos_].second;
      auto lo = std::lower_bound(v.begin(), v.end(), mint_,
                                 [](const Sample& s, int64_t t) { return s.t_ms < t; });
      auto hi = std::lower_bound(lo, v.end(), maxt_, [](const Sample& s, int64_t t) { return s.t_ms < t; });
      if (lo == hi) continue;
      cur_.emplace(series_[pos_].first, &*lo, &*lo + (hi - lo));
      return true;
    }
    return false;
  }
  const Series& At() const override { return *cur_; }

 private:
  std::vector<std::pair<const Labels*, const std::vector<Sample>*>> series_;
  int64_t mint_, maxt_;
  size_t pos_ = static_cast<size_t>(-1);
  std::optional<SpanSeries> cur_;
};

int64_t FloorTo(int64_t t, int64_t r) { return t - (((t % r) + r) % r); }

}  // namespace

std::string_view Backfill::KeyStore::Copy(std::string_view key) {
  constexpr size_t kBlockBytes = 256 << 10;
  if (key.size() > left_) {
    left_ = std::max(kBlockBytes, key.size());
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(left_));
    free_ = blocks_.back().get();
  }
  std::copy(key.begin(), key.end(), free_);
  std::string_view copy(free_, key.size());
  free_ += key.size();
  left_ -= key.size();
  return copy;
}

void Backfill::KeyStore::Adopt(KeyStore&& other) {
  for (auto& b : other.blocks_) blocks_.push_back(std::move(b));
  other = KeyStore();
}

uint32_t Backfill::AddSeries(std::string_view key, Labels labels) {
  auto [it, inserted] = by_labels_.try_emplace(labels, static_cast<uint32_t>(series_.size()));
  auto key_it = by_key_.find(key);
  if (key_it == by_key_.end()) key_it = by_key_.emplace(keys_.Copy(key), it->second).first;
  if (inserted) {
    // Only a key that finds this series may predict it (FindAfter).
    std::string_view own_key = key_it->second == it->second ? key_it->first : std::string_view();
    series_.push_back({std::move(labels), {}, true, own_key, kNoSeries});
  }
  return it->second;
}

void Backfill::MergeFrom(Backfill&& other) {
  std::vector<uint32_t> id_of(other.series_.size());
  for (size_t j = 0; j < other.series_.size(); ++j) {
    Series& from = other.series_[j];
    auto [it, inserted] = by_labels_.try_emplace(from.labels, static_cast<uint32_t>(series_.size()));
    id_of[j] = it->second;
    if (inserted) {
      from.next = kNoSeries;  // an id of `other`
      series_.push_back(std::move(from));
      continue;
    }
    Series& to = series_[it->second];
    if (!from.samples.empty()) {
      if (!to.samples.empty() && from.samples.front().t_ms < to.samples.back().t_ms) to.sorted = false;
      to.sorted = to.sorted && from.sorted;
      to.samples.insert(to.samples.end(), from.samples.begin(), from.samples.end());
    }
  }
  for (auto& [key, j] : other.by_key_) {
    auto [it, inserted] = by_key_.try_emplace(key, id_of[j]);
    Series& s = series_[id_of[j]];
    if (!inserted && it->second != id_of[j] && s.key == key) s.key = {};  // finds another series
  }
  keys_.Adopt(std::move(other.keys_));  // the views above stay valid
  num_samples_ += other.num_samples_;
  other = Backfill();
}

absl::StatusOr<std::vector<BlockMeta>> Backfill::WriteBlocks(
    const std::string& dir, int64_t block_range_ms, const std::function<void(size_t, size_t)>& progress) {
  std::set<int64_t> ranges;
  std::vector<std::pair<const Labels*, const std::vector<Sample>*>> order;
  for (Series& s : series_) {
    if (!s.sorted) {
      std::stable_sort(s.samples.begin(), s.samples.end(),
                       [](const Sample& a, const Sample& b) { return a.t_ms < b.t_ms; });
      s.sorted = true;
    }
    if (s.samples.empty()) continue;
    // Ranges touched: walk range starts from first to last sample, skipping gaps.
    for (auto it = s.samples.begin(); it != s.samples.end();) {
      int64_t start = FloorTo(it->t_ms, block_range_ms);
      ranges.insert(start);
      it = std::lower_bound(it, s.samples.end(), start + block_range_ms,
                            [](const Sample& x, int64_t t) { return x.t_ms < t; });
    }
    order.emplace_back(&s.labels, &s.samples);
  }
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return *a.first < *b.first; });
  // Blocks are independent: write them on several threads.
  const std::vector<int64_t> starts(ranges.begin(), ranges.end());
  std::vector<absl::StatusOr<BlockMeta>> results(starts.size(), absl::UnknownError("not written"));
  std::atomic<size_t> next{0}, done{0};
  absl::Mutex progress_mu;
  auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < starts.size();) {
      RangeSet set(order, starts[i], starts[i] + block_range_ms);
      results[i] = WriteBlock(dir, &set, starts[i], starts[i] + block_range_ms);
      absl::MutexLock l(&progress_mu);
      if (progress) progress(++done, starts.size());
    }
  };
  // A few blocks more than cores (3 blocks of a 6 h import on 2 cores) all
  // get a thread: the kernel shares the cores among them, so the write ends
  // after blocks/cores block-times instead of ceil(blocks/cores). Many
  // blocks queue on one thread per core, which bounds the memory.
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  const size_t nthreads = starts.size() <= 4 * cores ? starts.size() : cores;
  std::vector<std::thread> threads;
  for (size_t t = 1; t < nthreads; ++t) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();
  std::vector<BlockMeta> metas;
  absl::Status first_error;
  for (auto& r : results) {
    if (!r.ok()) {
      if (first_error.ok()) first_error = r.status();
    } else if (!r->ulid.empty()) {
      metas.push_back(std::move(*r));
    }
  }
  if (!first_error.ok()) {
    // No partial import: remove the blocks this call did write.
    for (const BlockMeta& m : metas) RemoveAll(dir + "/" + m.ulid).IgnoreError();
    return first_error;
  }
  return metas;
}

}  // namespace promlet::storage::block
