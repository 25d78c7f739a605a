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

uint32_t Backfill::AddSeries(std::string_view key, Labels labels) {
  auto [it, inserted] = by_labels_.try_emplace(labels, static_cast<uint32_t>(series_.size()));
  if (inserted) series_.push_back({std::move(labels), {}, true});
  by_key_.emplace(std::string(key), it->second);
  return it->second;
}

void Backfill::MergeFrom(Backfill&& other) {
  std::vector<uint32_t> id_of(other.series_.size());
  for (size_t j = 0; j < other.series_.size(); ++j) {
    Series& from = other.series_[j];
    auto [it, inserted] = by_labels_.try_emplace(from.labels, static_cast<uint32_t>(series_.size()));
    id_of[j] = it->second;
    if (inserted) {
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
  for (auto& [key, j] : other.by_key_) by_key_.try_emplace(key, id_of[j]);
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
  // Blocks are independent: write them on up to hardware_concurrency threads.
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
  size_t nthreads = std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()), starts.size());
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
