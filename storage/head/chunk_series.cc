#include "storage/head/chunk_series.h"

namespace promlet::storage::head {

bool ChunkSeriesIterator::OpenNext() {
  while (next_chunk_ < chunks_->size()) {
    const ChunkMeta& c = (*chunks_)[next_chunk_++];
    if (c.max_t < mint_ || c.min_t > maxt_) continue;
    it_.Reset(c.bytes());
    open_ = true;
    return true;
  }
  open_ = false;
  return false;
}

bool ChunkSeriesIterator::Next() {
  if (done_) return false;
  for (;;) {
    if (!open_ && !OpenNext()) break;
    while (it_.Next()) {
      const int64_t t = it_.t();
      if (t < mint_) continue;
      if (t > maxt_) {
        done_ = true;
        return false;
      }
      positioned_ = true;
      return true;
    }
    if (!it_.status().ok()) {
      status_ = it_.status();
      break;
    }
    open_ = false;
  }
  done_ = true;
  return false;
}

bool ChunkSeriesIterator::Seek(int64_t t_ms) {
  if (done_) return false;
  if (positioned_ && it_.t() >= t_ms) return true;
  // Skip whole chunks that end before t_ms.
  if (!open_ || (next_chunk_ > 0 && (*chunks_)[next_chunk_ - 1].max_t < t_ms)) {
    open_ = false;
    while (next_chunk_ < chunks_->size() && (*chunks_)[next_chunk_].max_t < t_ms) ++next_chunk_;
  }
  while (Next()) {
    if (it_.t() >= t_ms) return true;
  }
  return false;
}

}  // namespace promlet::storage::head
