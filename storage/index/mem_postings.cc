#include "storage/index/mem_postings.h"

#include <algorithm>

namespace promlet::storage::index {
namespace {

std::unique_ptr<Postings> CopyList(const RefList& l) {
  if (l.empty()) return EmptyPostings();
  return std::make_unique<ListPostings>(std::vector<SeriesRef>(l.begin(), l.end()));
}

}  // namespace

void MemPostings::Add(uint32_t id, const std::vector<Label>& labels) {
  absl::MutexLock lock(&mu_);
  for (const Label& l : labels) by_name_[l.name][l.value].Insert(id);
  all_.Insert(id);
}

void MemPostings::Remove(uint32_t id, const std::vector<Label>& labels) {
  absl::MutexLock lock(&mu_);
  for (const Label& l : labels) {
    auto nit = by_name_.find(l.name);
    if (nit == by_name_.end()) continue;
    auto vit = nit->second.find(l.value);
    if (vit == nit->second.end()) continue;
    vit->second.Remove(id);
    if (vit->second.empty()) nit->second.erase(vit);
    if (nit->second.empty()) by_name_.erase(nit);
  }
  all_.Remove(id);
}

std::unique_ptr<Postings> MemPostings::PostingsFor(std::string_view name, std::string_view value) {
  absl::ReaderMutexLock lock(&mu_);
  auto nit = by_name_.find(name);
  if (nit == by_name_.end()) return EmptyPostings();
  auto vit = nit->second.find(value);
  if (vit == nit->second.end()) return EmptyPostings();
  return CopyList(vit->second);
}

std::unique_ptr<Postings> MemPostings::AllPostings() {
  absl::ReaderMutexLock lock(&mu_);
  return CopyList(all_);
}

void MemPostings::ForEachLabelValue(std::string_view name,
                                    absl::FunctionRef<void(std::string_view)> f) {
  absl::ReaderMutexLock lock(&mu_);
  auto nit = by_name_.find(name);
  if (nit == by_name_.end()) return;
  for (const auto& [v, _] : nit->second) f(v);
}

std::unique_ptr<Postings> MemPostings::PostingsForValues(
    std::string_view name, absl::FunctionRef<bool(std::string_view)> keep) {
  // One pass under the lock; the union is built by concatenating and
  // sorting, which beats a k-way merge when k (matching values) is large.
  std::vector<SeriesRef> refs;
  size_t lists = 0;
  {
    absl::ReaderMutexLock lock(&mu_);
    auto nit = by_name_.find(name);
    if (nit == by_name_.end()) return EmptyPostings();
    for (const auto& [v, list] : nit->second) {
      if (!keep(v)) continue;
      refs.insert(refs.end(), list.begin(), list.end());
      ++lists;
    }
  }
  if (lists > 1) {
    std::sort(refs.begin(), refs.end());
    refs.erase(std::unique(refs.begin(), refs.end()), refs.end());
  }
  if (refs.empty()) return EmptyPostings();
  return std::make_unique<ListPostings>(std::move(refs));
}

std::vector<std::string> MemPostings::LabelNames() const {
  std::vector<std::string> out;
  {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& [n, _] : by_name_) out.emplace_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> MemPostings::LabelValues(std::string_view name) const {
  std::vector<std::string> out;
  {
    absl::ReaderMutexLock lock(&mu_);
    auto nit = by_name_.find(name);
    if (nit != by_name_.end()) {
      for (const auto& [v, _] : nit->second) out.emplace_back(v);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

void MemPostings::ForEachPair(
    absl::FunctionRef<void(std::string_view, std::string_view, uint32_t)> f) const {
  absl::ReaderMutexLock lock(&mu_);
  for (const auto& [n, values] : by_name_) {
    for (const auto& [v, list] : values) f(n, v, list.size());
  }
}

size_t MemPostings::NumSeries() const {
  absl::ReaderMutexLock lock(&mu_);
  return all_.size();
}

size_t MemPostings::MemoryBytes() const {
  absl::ReaderMutexLock lock(&mu_);
  size_t n = all_.HeapBytes() + by_name_.capacity() * (sizeof(std::string_view) + sizeof(ValueMap) + 1);
  for (const auto& [_, values] : by_name_) {
    n += values.capacity() * (sizeof(std::string_view) + sizeof(RefList) + 1);
    for (const auto& [v, list] : values) n += list.HeapBytes();
  }
  return n;
}

}  // namespace promlet::storage::index
