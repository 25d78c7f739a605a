#include "storage/head/mem_series.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <limits>
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

// ms_to_boundary_ for a chunk starting at min_t whose last sample is at t,
// before the boundary: NextBoundary(min_t, range) - t, capped, computed
// without NextBoundary's overflow near the ends of the int64 range.
uint32_t BoundaryBudget(int64_t min_t, int64_t t, int64_t range) {
  int64_t into_range = min_t % range;
  if (into_range < 0) into_range += range;
  const uint64_t left = static_cast<uint64_t>(range - into_range) -
                        (static_cast<uint64_t>(t) - static_cast<uint64_t>(min_t));
  return static_cast<uint32_t>(std::min<uint64_t>(left, std::numeric_limits<uint32_t>::max()));
}

static_assert(4 + sizeof(uint32_t) + sizeof(chunkenc::XorAppender) +
                      sizeof(ChunkBuf) <= MemSeries::kAppendHotBytes,
              "MemSeries' first kAppendHotBytes no longer hold what an append touches");

}  // namespace

// The bytes before syms_ (sizeof rounds up past them to 8).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
const size_t MemSeries::kSymsOffset = offsetof(MemSeries, syms_);
#pragma GCC diagnostic pop

MemSeries* MemSeries::Create(uint32_t id, const uint32_t* label_syms, uint16_t num_labels) {
  // Symbol ids are small for label names and common values: varints take
  // 1-3 bytes where a uint32_t takes 4.
  uint8_t enc[5 * 2 * 256];
  std::vector<uint8_t> big;
  uint8_t* buf = enc;
  if (num_labels > 256) {
    big.resize(5 * 2 * static_cast<size_t>(num_labels));
    buf = big.data();
  }
  size_t n = 0;
  for (int i = 0; i < 2 * num_labels; ++i) {
    uint32_t v = label_syms[i];
    while (v >= 0x80) {
      buf[n++] = static_cast<uint8_t>(v | 0x80);
      v >>= 7;
    }
    buf[n++] = static_cast<uint8_t>(v);
  }
  void* mem = ::operator new(std::max(kSymsOffset + n, sizeof(MemSeries)));
  auto* s = new (mem) MemSeries();
  s->id_ = id;
  s->num_labels_ = num_labels;
  std::memcpy(s->syms_, buf, n);
  return s;
}

void MemSeries::Destroy(MemSeries* s) {
  s->~MemSeries();
  ::operator delete(s);
}

void MemSeries::LabelSyms(uint32_t* out) const {
  const uint8_t* p = syms_;
  for (int i = 0; i < 2 * num_labels_; ++i) {
    uint32_t v = 0;
    for (int shift = 0;; shift += 7) {
      const uint8_t b = *p++;
      v |= static_cast<uint32_t>(b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    out[i] = v;
  }
}

Labels MemSeries::BuildLabels(const SymbolTable& symbols) const {
  uint32_t ids[2 * 256];
  std::string_view strs[2 * 256];
  std::vector<uint32_t> big_ids;
  std::vector<std::string_view> big;
  uint32_t* id_out = ids;
  std::string_view* out = strs;
  if (num_labels_ > 256) {
    big_ids.resize(2 * num_labels_);
    big.resize(2 * num_labels_);
    id_out = big_ids.data();
    out = big.data();
  }
  LabelSyms(id_out);
  symbols.GetMany(id_out, 2 * num_labels_, out);
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
  if (!head_.empty()) {
    // t > last_t() (the caller checked); unsigned: no overflow.
    const uint64_t step = static_cast<uint64_t>(t) - static_cast<uint64_t>(app_.last_t());
    // Short-circuits to the exact test only near the boundary.
    const bool crosses = step >= ms_to_boundary_ && t >= NextBoundary(head_min_t_, chunk_range_ms);
    if (app_.num_samples() >= samples_per_chunk || crosses) {
      CutHeadChunk(arena);
      cut = true;
    } else if (step < ms_to_boundary_) {
      ms_to_boundary_ -= static_cast<uint32_t>(step);
    } else {
      ms_to_boundary_ = BoundaryBudget(head_min_t_, t, chunk_range_ms);
    }
  }
  if (head_.empty()) {
    app_.Reset(&head_);
    head_min_t_ = t;
    ms_to_boundary_ = BoundaryBudget(t, t, chunk_range_ms);
  }
  app_.Append(&head_, t, v);
  // Spilling only pays where the arena is out of RSS: in anonymous memory
  // the slot's bytes (and its slack) would count just the same.
  if (head_.size() >= kSpillBytes && arena->file_backed()) Spill(arena);
  return cut;
}

void MemSeries::Spill(ChunkArena* arena) {
  // Everything but the header and the last byte, which the encoder still
  // writes bits into.
  const size_t n = head_.size() - chunkenc::kXorHeaderBytes - 1;
  arena->Spill(&last_piece_, std::string_view(head_.data() + chunkenc::kXorHeaderBytes, n));
  spilled_ += static_cast<uint32_t>(n);
  head_.data()[chunkenc::kXorHeaderBytes] = head_.data()[head_.size() - 1];
  head_.Truncate(chunkenc::kXorHeaderBytes + 1);
}

void MemSeries::CutHeadChunk(ChunkArena* arena) {
  const char* prev = last_full_;
  if (prev == nullptr) oldest_min_t_ = head_min_t_;
  if (last_piece_ == nullptr) {
    last_full_ = arena->Add(prev, head_min_t_, app_.last_t(), head_.view());
  } else {
    const std::string_view bytes = head_.view();
    last_full_ = arena->AddSpilled(last_piece_, spilled_, prev, head_min_t_, app_.last_t(),
                                   bytes.substr(0, chunkenc::kXorHeaderBytes),
                                   bytes.substr(chunkenc::kXorHeaderBytes));
    last_piece_ = nullptr;
    spilled_ = 0;
  }
  // Only called from Append, which starts the next chunk right away, so the
  // series always has an open head chunk to read its last sample from. A
  // buffer that spills keeps its memory for it (one that holds whole
  // chunks, without page files, is freed).
  head_.ClearKeeping(2 * kSpillBytes);
}

bool MemSeries::TruncateBefore(int64_t t, ChunkArena* arena) {
  if (last_full_ != nullptr) {
    // Newest first: find the oldest record that still ends at or after t.
    const char* keep = nullptr;
    int64_t keep_min_t = 0;
    for (const char* r = last_full_; r != nullptr;) {
      const ChunkRecord rec = ChunkArena::Read(r);
      if (rec.max_t < t) break;
      keep = r;
      keep_min_t = rec.min_t;
      if (rec.min_t == oldest_min_t_) break;  // end of the live chain
      r = rec.prev;
    }
    if (keep == nullptr) {
      last_full_ = nullptr;
    } else {
      oldest_min_t_ = keep_min_t;
    }
  }
  if (!head_.empty() && app_.last_t() < t) {
    head_.Release();
    arena->Abandon(last_piece_, spilled_);
    last_piece_ = nullptr;
    spilled_ = 0;
  }
  return last_full_ == nullptr && head_.empty();
}

size_t MemSeries::num_full_chunks() const {
  size_t n = 0;
  for (const char* r = last_full_; r != nullptr;) {
    const ChunkRecord rec = ChunkArena::Read(r);
    ++n;
    if (rec.min_t == oldest_min_t_) break;
    r = rec.prev;
  }
  return n;
}

void MemSeries::Snapshot(int64_t mint, int64_t maxt, const ChunkArena& arena,
                         std::vector<ChunkMeta>* out,
                         std::string* head_copy) const {
  const size_t first = out->size();
  for (const char* r = last_full_; r != nullptr;) {
    const ChunkRecord rec = ChunkArena::Read(r);
    if (rec.max_t < mint) break;  // this and all older ones end before mint
    if (rec.min_t <= maxt) {
      out->push_back(ChunkMeta{rec.min_t, rec.max_t, rec.bytes.data(),
                               static_cast<uint32_t>(rec.bytes.size())});
    }
    if (rec.min_t == oldest_min_t_) break;
    r = rec.prev;
  }
  std::reverse(out->begin() + static_cast<std::ptrdiff_t>(first), out->end());
  if (!head_.empty() && app_.last_t() >= mint && head_min_t_ <= maxt) {
    const std::string_view bytes = head_.view();
    head_copy->assign(bytes.substr(0, chunkenc::kXorHeaderBytes));
    if (spilled_ > 0) {
      const size_t at = head_copy->size();
      head_copy->resize(at + spilled_);
      arena.ReadSpilled(last_piece_, spilled_, head_copy->data() + at);
    }
    head_copy->append(bytes.substr(chunkenc::kXorHeaderBytes));
    out->push_back(ChunkMeta{head_min_t_, app_.last_t(), head_copy->data(),
                             static_cast<uint32_t>(head_copy->size())});
  }
}

}  // namespace promlet::storage::head
