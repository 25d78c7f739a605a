#include "storage/index/postings.h"

#include <algorithm>

namespace promlet::storage::index {
namespace {

class EmptyList : public Postings {
 public:
  explicit EmptyList(absl::Status status = absl::OkStatus()) : status_(std::move(status)) {}
  bool Next() override { return false; }
  bool Seek(SeriesRef) override { return false; }
  SeriesRef At() const override { return 0; }
  absl::Status status() const override { return status_; }
  size_t SizeHint() const override { return 0; }
  bool IsEmpty() const override { return status_.ok(); }

 private:
  absl::Status status_;
};

class IntersectPostings : public Postings {
 public:
  explicit IntersectPostings(std::vector<std::unique_ptr<Postings>> its)
      : its_(std::move(its)) {}

  bool Next() override {
    if (done_ || !its_[0]->Next()) return Stop();
    return Align(its_[0]->At());
  }
  bool Seek(SeriesRef v) override {
    if (done_) return false;
    if (started_ && cur_ >= v) return true;
    if (!its_[0]->Seek(v)) return Stop();
    return Align(its_[0]->At());
  }
  SeriesRef At() const override { return cur_; }
  absl::Status status() const override {
    for (const auto& it : its_) {
      if (!it->status().ok()) return it->status();
    }
    return absl::OkStatus();
  }
  size_t SizeHint() const override { return its_[0]->SizeHint(); }

 private:
  bool Stop() {
    done_ = true;
    return false;
  }
  // Leapfrog: seek every list to the candidate until all agree.
  bool Align(SeriesRef target) {
    started_ = true;
    for (;;) {
      bool agreed = true;
      for (auto& it : its_) {
        if (!it->Seek(target)) return Stop();
        if (it->At() != target) {
          target = it->At();
          agreed = false;
          break;
        }
      }
      if (agreed) {
        cur_ = target;
        return true;
      }
    }
  }

  std::vector<std::unique_ptr<Postings>> its_;  // smallest first
  SeriesRef cur_ = 0;
  bool started_ = false;
  bool done_ = false;
};

// Merges with a min-heap over the lists' heads.
class MergePostings : public Postings {
 public:
  explicit MergePostings(std::vector<std::unique_ptr<Postings>> its) : its_(std::move(its)) {}

  bool Next() override {
    if (!initialised_) {
      initialised_ = true;
      for (auto& it : its_) {
        if (it->Next()) heap_.push_back(it.get());
      }
      std::make_heap(heap_.begin(), heap_.end(), Greater);
    } else {
      Advance(cur_ + 1);
    }
    return Top();
  }
  bool Seek(SeriesRef v) override {
    if (!initialised_) {
      initialised_ = true;
      for (auto& it : its_) {
        if (it->Seek(v)) heap_.push_back(it.get());
      }
      std::make_heap(heap_.begin(), heap_.end(), Greater);
      return Top();
    }
    if (heap_.empty()) return false;
    if (cur_ >= v) return true;
    Advance(v);
    return Top();
  }
  SeriesRef At() const override { return cur_; }
  absl::Status status() const override {
    for (const auto& it : its_) {
      if (!it->status().ok()) return it->status();
    }
    return absl::OkStatus();
  }
  size_t SizeHint() const override {
    size_t n = 0;
    for (const auto& it : its_) n += it->SizeHint();
    return n;
  }

 private:
  static bool Greater(Postings* a, Postings* b) { return a->At() > b->At(); }

  // Moves every list whose head is below `bound` to its first ref >= bound.
  void Advance(SeriesRef bound) {
    while (!heap_.empty() && heap_.front()->At() < bound) {
      std::pop_heap(heap_.begin(), heap_.end(), Greater);
      Postings* p = heap_.back();
      if (p->Seek(bound)) {
        std::push_heap(heap_.begin(), heap_.end(), Greater);
      } else {
        heap_.pop_back();
      }
    }
  }
  bool Top() {
    if (heap_.empty()) return false;
    cur_ = heap_.front()->At();
    return true;
  }

  std::vector<std::unique_ptr<Postings>> its_;
  std::vector<Postings*> heap_;
  SeriesRef cur_ = 0;
  bool initialised_ = false;
};

class WithoutPostings : public Postings {
 public:
  WithoutPostings(std::unique_ptr<Postings> full, std::unique_ptr<Postings> drop)
      : full_(std::move(full)), drop_(std::move(drop)) {}
  bool Next() override {
    if (!full_->Next()) return false;
    return Skip();
  }
  bool Seek(SeriesRef v) override {
    if (!full_->Seek(v)) return false;
    return Skip();
  }
  SeriesRef At() const override { return full_->At(); }
  absl::Status status() const override {
    if (!full_->status().ok()) return full_->status();
    return drop_->status();
  }
  size_t SizeHint() const override { return full_->SizeHint(); }

 private:
  // Skips refs of full_ that are in drop_.
  bool Skip() {
    for (;;) {
      const SeriesRef cur = full_->At();
      if (drop_live_) {
        drop_live_ = drop_->Seek(cur);
        if (drop_live_ && drop_->At() == cur) {
          if (!full_->Next()) return false;
          continue;
        }
      }
      return true;
    }
  }

  std::unique_ptr<Postings> full_;
  std::unique_ptr<Postings> drop_;
  bool drop_live_ = true;
};

}  // namespace

bool ListPostings::Seek(SeriesRef v) {
  if (pos_ == static_cast<size_t>(-1)) pos_ = 0;
  if (pos_ >= refs_.size()) return false;
  if (refs_[pos_] >= v) return true;
  pos_ = std::lower_bound(refs_.begin() + pos_, refs_.end(), v) - refs_.begin();
  return pos_ < refs_.size();
}

std::unique_ptr<Postings> EmptyPostings() { return std::make_unique<EmptyList>(); }
std::unique_ptr<Postings> ErrorPostings(absl::Status status) {
  return std::make_unique<EmptyList>(std::move(status));
}

std::unique_ptr<Postings> Intersect(std::vector<std::unique_ptr<Postings>> its) {
  if (its.empty()) return EmptyPostings();
  if (its.size() == 1) return std::move(its[0]);
  for (const auto& it : its) {
    if (it->IsEmpty()) return EmptyPostings();
  }
  std::stable_sort(its.begin(), its.end(),
                   [](const auto& a, const auto& b) { return a->SizeHint() < b->SizeHint(); });
  return std::make_unique<IntersectPostings>(std::move(its));
}

std::unique_ptr<Postings> Merge(std::vector<std::unique_ptr<Postings>> its) {
  std::erase_if(its, [](const auto& p) { return p->IsEmpty(); });
  if (its.empty()) return EmptyPostings();
  if (its.size() == 1) return std::move(its[0]);
  return std::make_unique<MergePostings>(std::move(its));
}

std::unique_ptr<Postings> Without(std::unique_ptr<Postings> full,
                                  std::unique_ptr<Postings> drop) {
  if (full->IsEmpty()) return EmptyPostings();
  if (drop->IsEmpty()) return full;
  return std::make_unique<WithoutPostings>(std::move(full), std::move(drop));
}

absl::Status ExpandPostings(Postings* p, std::vector<SeriesRef>* out) {
  while (p->Next()) out->push_back(p->At());
  return p->status();
}

}  // namespace promlet::storage::index
