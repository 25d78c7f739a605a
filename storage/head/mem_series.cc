#include "storage/head/mem_series.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "base/coding.h"
#include "storage/head/symbol_table.h"

namespace promlet::storage::head {
namespace {

// First multiple of range strictly above t (floor division for negatives).
int64_t NextBoundary(int64_t t, int64_t range) {
  int64_t q = t / range;
  if (t % range != 0 && t < 0) --q;
  return (q + 1) * range;
}

}  // namespace

MemSeries* MemSeries::Create(uint32_t id, const uint32_t* label_syms, uint16_t num_labels) {
  void* mem = ::operator new(sizeof(MemSeries) + 2 * num_labels * sizeof(uint32_t));
  auto* s = new (mem) MemSeries();
  s->id_ = id;
  s->num_labels_ = num_labels;
  std::memcpy(s->syms_, label_syms, 2 * num_labels * sizeof(uint32_t));
  return s;
}

void MemSeries::Destroy(MemSeries* s) {
  delete s->full_;
  s->~MemSeries();
  ::operator delete(s);
}

Labels MemSeries::BuildLabels(const SymbolTable& symbols) const {
  std::string_view strs[2 * 256];
  std::vector<std::string_view> big;
  std::string_view* out = strs;
  if (num_labels_ > 256) {
    big.resize(2 * num_labels_);
    out = big.data();
  }
  symbols.GetMany(syms_, 2 * num_labels_, out);
  std::string enc;
  size_t n = 0;
  for (int i = 0; i < 2 * num_labels_; ++i) n += out[i].size() + 1;
  enc.reserve(n + 8);
  for (int i = 0; i < 2 * num_labels_; ++i) base::PutLengthPrefixed(&enc, out[i]);
  return Labels::FromEncoded(std::move(enc));
}

bool MemSeries::LabelsEqual(const SymbolTable& symbols, const Labels& labels) const {
  // Cheap and exact: compare the encodings.
  return BuildLabels(symbols) == labels;
}

bool MemSeries::Append(int64_t t, double v, int samples_per_chunk, int64_t chunk_range_ms,
                       ChunkArena* arena) {
  bool cut = false;
  if (!head_.empty() && (app_.num_samples() >= samples_per_chunk ||
                         t >= NextBoundary(head_min_t_, chunk_range_ms))) {
    CutHeadChunk(arena);
    cut = true;
  }
  if (head_.empty()) {
    app_.Reset(&head_);
    head_min_t_ = t;
  }
  app_.Append(&head_, t, v);
  return cut;
}

void MemSeries::CutHeadChunk(ChunkArena* arena) {
  if (full_ == nullptr) full_ = new std::vector<ChunkMeta>();
  const std::string_view stored = arena->Add(head_.view(), app_.last_t());
  full_->push_back(ChunkMeta{head_min_t_, app_.last_t(), stored.data(),
                             static_cast<uint32_t>(stored.size())});
  // Only called from Append, which starts the next chunk right away, so the
  // series always has an open head chunk to read its last sample from.
  head_.Release();
}

bool MemSeries::TruncateBefore(int64_t t) {
  if (full_ != nullptr) {
    auto keep = std::find_if(full_->begin(), full_->end(),
                             [t](const ChunkMeta& c) { return c.max_t >= t; });
    full_->erase(full_->begin(), keep);
    if (full_->empty()) {
      delete full_;
      full_ = nullptr;
    }
  }
  if (!head_.empty() && app_.last_t() < t) {
    head_.Release();
  }
  return full_ == nullptr && head_.empty();
}

void MemSeries::Snapshot(int64_t mint, int64_t maxt, std::vector<ChunkMeta>* out,
                         std::string* head_copy) const {
  if (full_ != nullptr) {
    for (const ChunkMeta& c : *full_) {
      if (c.max_t >= mint && c.min_t <= maxt) out->push_back(c);
    }
  }
  if (!head_.empty() && app_.last_t() >= mint && head_min_t_ <= maxt) {
    head_copy->assign(head_.data(), head_.size());
    out->push_back(ChunkMeta{head_min_t_, app_.last_t(), head_copy->data(),
                             static_cast<uint32_t>(head_copy->size())});
  }
}

}  // namespace promlet::storage::head
