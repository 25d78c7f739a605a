#include "storage/head/head_querier.h"

#include <algorithm>
#include <set>

#include "storage/head/head.h"
#include "storage/index/postings_reader.h"

namespace promlet::storage::head {
namespace {

// Owns the selected series and keeps the head's chunks alive.
class ChunkSeriesSet : public SeriesSet {
 public:
  ChunkSeriesSet(std::vector<std::unique_ptr<ChunkSeries>> series,
                 std::shared_ptr<HeadReadGuard> guard)
      : series_(std::move(series)), guard_(std::move(guard)) {}
  bool Next() override { return ++pos_ < series_.size(); }
  const Series& At() const override { return *series_[pos_]; }

 private:
  std::vector<std::unique_ptr<ChunkSeries>> series_;
  std::shared_ptr<HeadReadGuard> guard_;
  size_t pos_ = static_cast<size_t>(-1);
};

bool Overlaps(const MemSeries* s, int64_t mint, int64_t maxt) {
  return s->has_samples() && s->min_t() <= maxt && s->last_t() >= mint;
}

// Chunks overlap [mint, maxt] by their bounds, but a sparse series can
// still have no sample inside: Select promises at least one.
bool HasSampleIn(const ChunkSeries& s, int64_t mint, int64_t maxt) {
  for (const ChunkMeta& c : s.chunks()) {
    if (c.min_t >= mint && c.max_t <= maxt) return true;
  }
  ChunkSeriesIterator it(&s.chunks(), mint, maxt);
  return it.Next();
}

}  // namespace

std::vector<MemSeries*> HeadQuerier::MatchingSeries(int64_t mint_ms, int64_t maxt_ms,
                                                    const Matchers& matchers) {
  std::vector<MemSeries*> out;
  std::unique_ptr<index::Postings> p = index::PostingsForMatchers(&head_->postings(), matchers);
  while (p->Next()) {
    MemSeries* s = head_->series().ById(static_cast<uint32_t>(p->At()));
    if (s == nullptr) continue;
    SpinLockHolder lock(head_->series().SeriesLock(s));
    if (Overlaps(s, mint_ms, maxt_ms)) out.push_back(s);
  }
  return out;
}

std::vector<std::unique_ptr<ChunkSeries>> HeadQuerier::SelectChunks(int64_t mint_ms,
                                                                    int64_t maxt_ms,
                                                                    const Matchers& matchers) {
  std::vector<std::unique_ptr<ChunkSeries>> out;
  std::unique_ptr<index::Postings> p = index::PostingsForMatchers(&head_->postings(), matchers);
  while (p->Next()) {
    MemSeries* s = head_->series().ById(static_cast<uint32_t>(p->At()));
    if (s == nullptr) continue;
    auto cs = std::make_unique<ChunkSeries>(s->BuildLabels(head_->symbols()), mint_ms, maxt_ms);
    {
      SpinLockHolder lock(head_->series().SeriesLock(s));
      s->Snapshot(mint_ms, maxt_ms, head_->arena(), cs->mutable_chunks(),
                  cs->mutable_head_copy());
    }
    if (cs->chunks().empty() || !HasSampleIn(*cs, mint_ms, maxt_ms)) continue;
    out.push_back(std::move(cs));
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a->labels() < b->labels(); });
  return out;
}

std::unique_ptr<SeriesSet> HeadQuerier::Select(int64_t mint_ms, int64_t maxt_ms,
                                               const Matchers& matchers) {
  return std::make_unique<ChunkSeriesSet>(SelectChunks(mint_ms, maxt_ms, matchers), guard_);
}

absl::StatusOr<std::vector<std::string>> HeadQuerier::LabelNames(int64_t mint_ms,
                                                                 int64_t maxt_ms,
                                                                 const Matchers& matchers) {
  if (matchers.empty()) return head_->postings().LabelNames();
  std::set<std::string> names;
  for (MemSeries* s : MatchingSeries(mint_ms, maxt_ms, matchers)) {
    for (Label l : s->BuildLabels(head_->symbols())) {
      if (!names.contains(std::string(l.name))) names.emplace(l.name);
    }
  }
  return std::vector<std::string>(names.begin(), names.end());
}

absl::StatusOr<std::vector<std::string>> HeadQuerier::LabelValues(const std::string& name,
                                                                  int64_t mint_ms,
                                                                  int64_t maxt_ms,
                                                                  const Matchers& matchers) {
  if (matchers.empty()) return head_->postings().LabelValues(name);
  std::set<std::string> values;
  for (MemSeries* s : MatchingSeries(mint_ms, maxt_ms, matchers)) {
    const Labels labels = s->BuildLabels(head_->symbols());
    const std::string_view v = labels.Get(name);
    if (!v.empty()) values.emplace(v);
  }
  return std::vector<std::string>(values.begin(), values.end());
}

}  // namespace promlet::storage::head
