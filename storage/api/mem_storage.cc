#include "storage/api/mem_storage.h"

#include <algorithm>
#include <bit>
#include <set>

namespace promlet::storage {
namespace {

class VectorIterator : public SeriesIterator {
 public:
  explicit VectorIterator(const std::vector<Sample>* samples) : samples_(samples) {}
  bool Next() override { return ++pos_ < samples_->size(); }
  bool Seek(int64_t t_ms) override {
    if (pos_ == static_cast<size_t>(-1)) pos_ = 0;
    while (pos_ < samples_->size() && (*samples_)[pos_].t_ms < t_ms) ++pos_;
    return pos_ < samples_->size();
  }
  Sample At() const override { return (*samples_)[pos_]; }

 private:
  const std::vector<Sample>* samples_;
  size_t pos_ = static_cast<size_t>(-1);
};

class ErrorSet : public SeriesSet {
 public:
  explicit ErrorSet(absl::Status s) : status_(std::move(s)) {}
  bool Next() override { return false; }
  const Series& At() const override { __builtin_trap(); }
  absl::Status status() const override { return status_; }

 private:
  absl::Status status_;
};

bool SameBits(double a, double b) { return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b); }

}  // namespace

std::unique_ptr<SeriesIterator> VectorSeries::NewIterator() const {
  return std::make_unique<VectorIterator>(&samples_);
}

std::unique_ptr<SeriesSet> ErrorSeriesSet(absl::Status status) {
  return std::make_unique<ErrorSet>(std::move(status));
}
std::unique_ptr<SeriesSet> EmptySeriesSet() {
  return std::make_unique<VectorSeriesSet>(std::vector<std::unique_ptr<Series>>{});
}

class MemStorage::MemAppender : public Appender {
 public:
  explicit MemAppender(MemStorage* s) : storage_(s) {}

  absl::StatusOr<SeriesRef> Append(SeriesRef ref, const Labels& labels, int64_t t_ms,
                                   double value) override {
    Labels l;
    if (ref != 0) {
      absl::MutexLock lock(&storage_->mu_);
      if (ref > storage_->refs_.size()) return absl::NotFoundError("unknown series ref");
      l = *storage_->refs_[ref - 1];
    } else {
      if (labels.empty() || labels.MetricName().empty()) {
        return absl::InvalidArgumentError("");
      }
      l = labels;
      absl::MutexLock lock(&storage_->mu_);
      auto it = storage_->ref_of_.find(l);
      if (it != storage_->ref_of_.end()) {
        ref = it->second;
      } else {
        auto [sit, _] = storage_->series_.emplace(l, std::vector<Sample>{});
        storage_->refs_.push_back(&sit->first);
        ref = storage_->refs_.size();
        storage_->ref_of_.emplace(l, ref);
      }
    }
    pending_.push_back({std::move(l), {t_ms, value}});
    return ref;
  }

  absl::Status Commit() override {
    absl::MutexLock lock(&storage_->mu_);
    // Validate the whole batch first so a rejection leaves nothing applied.
    std::map<Labels, Sample> last;
    for (const auto& [labels, s] : pending_) {
      auto& samples = storage_->series_[labels];
      auto lit = last.find(labels);
      const Sample* prev = nullptr;
      if (lit != last.end()) prev = &lit->second;
      else if (!samples.empty()) prev = &samples.back();
      if (prev != nullptr) {
        if (s.t_ms < prev->t_ms) return absl::OutOfRangeError("");
        if (s.t_ms == prev->t_ms && !SameBits(s.value, prev->value)) {
          return absl::AlreadyExistsError("");
        }
      }
      last[labels] = s;
    }
    for (const auto& [labels, s] : pending_) {
      auto& samples = storage_->series_[labels];
      if (!samples.empty() && samples.back().t_ms == s.t_ms) continue;  // exact duplicate
      samples.push_back(s);
    }
    pending_.clear();
    return absl::OkStatus();
  }

  absl::Status Rollback() override {
    pending_.clear();
    return absl::OkStatus();
  }

 private:
  MemStorage* storage_;
  std::vector<std::pair<Labels, Sample>> pending_;
};

class MemStorage::MemQuerier : public Querier {
 public:
  explicit MemQuerier(MemStorage* s) : storage_(s) {}

  std::unique_ptr<SeriesSet> Select(int64_t mint_ms, int64_t maxt_ms,
                                    const Matchers& matchers) override {
    std::vector<std::unique_ptr<Series>> out;
    absl::MutexLock lock(&storage_->mu_);
    for (const auto& [labels, samples] : storage_->series_) {
      if (!MatchesAll(matchers, labels)) continue;
      std::vector<Sample> in_range;
      for (const Sample& s : samples) {
        if (s.t_ms >= mint_ms && s.t_ms <= maxt_ms) in_range.push_back(s);
      }
      if (in_range.empty()) continue;
      out.push_back(std::make_unique<VectorSeries>(labels, std::move(in_range)));
    }
    return std::make_unique<VectorSeriesSet>(std::move(out));
  }

  absl::StatusOr<std::vector<std::string>> LabelNames(int64_t mint_ms, int64_t maxt_ms,
                                                      const Matchers& matchers) override {
    std::set<std::string> names;
    ForEachMatching(mint_ms, maxt_ms, matchers, [&](const Labels& l) {
      for (Label x : l) names.emplace(x.name);
    });
    return std::vector<std::string>(names.begin(), names.end());
  }

  absl::StatusOr<std::vector<std::string>> LabelValues(const std::string& name, int64_t mint_ms,
                                                       int64_t maxt_ms,
                                                       const Matchers& matchers) override {
    std::set<std::string> values;
    ForEachMatching(mint_ms, maxt_ms, matchers, [&](const Labels& l) {
      std::string_view v = l.Get(name);
      if (!v.empty()) values.emplace(v);
    });
    return std::vector<std::string>(values.begin(), values.end());
  }

 private:
  template <typename F>
  void ForEachMatching(int64_t mint_ms, int64_t maxt_ms, const Matchers& matchers, F&& f) {
    absl::MutexLock lock(&storage_->mu_);
    for (const auto& [labels, samples] : storage_->series_) {
      if (!MatchesAll(matchers, labels)) continue;
      bool any = std::any_of(samples.begin(), samples.end(), [&](const Sample& s) {
        return s.t_ms >= mint_ms && s.t_ms <= maxt_ms;
      });
      if (any) f(labels);
    }
  }

  MemStorage* storage_;
};

std::unique_ptr<Appender> MemStorage::NewAppender() {
  return std::make_unique<MemAppender>(this);
}

absl::StatusOr<std::unique_ptr<Querier>> MemStorage::NewQuerier() {
  return std::make_unique<MemQuerier>(this);
}

size_t MemStorage::NumSeries() const {
  absl::MutexLock lock(&mu_);
  return series_.size();
}

size_t MemStorage::NumSamples() const {
  absl::MutexLock lock(&mu_);
  size_t n = 0;
  for (const auto& [_, s] : series_) n += s.size();
  return n;
}

}  // namespace promlet::storage
