#include "storage/block/merge.h"

#include <deque>

namespace promlet::storage::block {
namespace {

class MergeIterator : public SeriesIterator {
 public:
  explicit MergeIterator(std::vector<std::unique_ptr<SeriesIterator>> its) : its_(std::move(its)) {
    valid_.assign(its_.size(), false);
  }

  bool Next() override {
    if (!started_) {
      started_ = true;
      for (size_t i = 0; i < its_.size(); ++i) valid_[i] = its_[i]->Next();
    } else {
      // Advance every input sitting on the current timestamp (dedup).
      for (size_t i = 0; i < its_.size(); ++i) {
        if (valid_[i] && its_[i]->At().t_ms == cur_.t_ms) valid_[i] = its_[i]->Next();
      }
    }
    return Pick();
  }

  bool Seek(int64_t t_ms) override {
    if (started_ && has_ && cur_.t_ms >= t_ms) return true;
    started_ = true;
    for (size_t i = 0; i < its_.size(); ++i) valid_[i] = its_[i]->Seek(t_ms);
    return Pick();
  }

  Sample At() const override { return cur_; }
  absl::Status status() const override {
    for (const auto& it : its_) {
      if (!it->status().ok()) return it->status();
    }
    return absl::OkStatus();
  }

 private:
  bool Pick() {
    has_ = false;
    for (size_t i = 0; i < its_.size(); ++i) {
      if (!valid_[i]) continue;
      Sample s = its_[i]->At();
      if (!has_ || s.t_ms < cur_.t_ms) {
        cur_ = s;
        has_ = true;
      }
    }
    return has_;
  }

  std::vector<std::unique_ptr<SeriesIterator>> its_;
  std::vector<bool> valid_;
  bool started_ = false;
  bool has_ = false;
  Sample cur_;
};

class MergedSeries : public Series {
 public:
  explicit MergedSeries(std::vector<const Series*> parts) : parts_(std::move(parts)) {}
  const Labels& labels() const override { return parts_[0]->labels(); }
  std::unique_ptr<SeriesIterator> NewIterator() const override {
    if (parts_.size() == 1) return parts_[0]->NewIterator();
    std::vector<std::unique_ptr<SeriesIterator>> its;
    for (const Series* p : parts_) its.push_back(p->NewIterator());
    return std::make_unique<MergeIterator>(std::move(its));
  }

 private:
  std::vector<const Series*> parts_;
};

class MergeSeriesSet : public SeriesSet {
 public:
  explicit MergeSeriesSet(std::vector<std::unique_ptr<SeriesSet>> sets) : sets_(std::move(sets)) {
    valid_.assign(sets_.size(), false);
  }

  bool Next() override {
    if (!started_) {
      started_ = true;
      for (size_t i = 0; i < sets_.size(); ++i) valid_[i] = sets_[i]->Next();
    } else {
      for (size_t i : current_) valid_[i] = sets_[i]->Next();
    }
    current_.clear();
    const Labels* min = nullptr;
    for (size_t i = 0; i < sets_.size(); ++i) {
      if (!valid_[i]) continue;
      const Labels& l = sets_[i]->At().labels();
      int c = min == nullptr ? -1 : Labels::Compare(l, *min);
      if (c < 0) {
        min = &l;
        current_.clear();
      }
      if (c <= 0) current_.push_back(i);
    }
    if (current_.empty()) return false;
    std::vector<const Series*> parts;
    for (size_t i : current_) parts.push_back(&sets_[i]->At());
    out_.emplace_back(std::move(parts));
    return true;
  }
  const Series& At() const override { return out_.back(); }
  absl::Status status() const override {
    for (const auto& s : sets_) {
      if (!s->status().ok()) return s->status();
    }
    return absl::OkStatus();
  }

 private:
  std::vector<std::unique_ptr<SeriesSet>> sets_;
  std::vector<bool> valid_;
  std::vector<size_t> current_;
  bool started_ = false;
  std::deque<MergedSeries> out_;
};

}  // namespace

std::unique_ptr<SeriesSet> MergeSeriesSets(std::vector<std::unique_ptr<SeriesSet>> sets) {
  if (sets.size() == 1) return std::move(sets[0]);
  return std::make_unique<MergeSeriesSet>(std::move(sets));
}

}  // namespace promlet::storage::block
