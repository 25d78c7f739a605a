#include "storage/index/ref_list.h"

#include <algorithm>
#include <cassert>

namespace promlet::storage::index {

void RefList::Insert(uint32_t id) {
  uint32_t* d = mutable_data();
  uint32_t pos = size_;
  if (size_ > 0 && d[size_ - 1] >= id) {
    pos = static_cast<uint32_t>(std::lower_bound(d, d + size_, id) - d);
    if (d[pos] == id) return;
  }
  if (size_ == cap_) {
    // Grow by 1.5x (at least 4): postings lists are many and mostly short.
    const uint32_t new_cap = std::max<uint32_t>(4, cap_ + cap_ / 2);
    auto* mem = static_cast<uint32_t*>(std::malloc(new_cap * sizeof(uint32_t)));
    if (mem == nullptr) std::abort();
    std::memcpy(mem, d, size_ * sizeof(uint32_t));
    if (is_heap()) std::free(heap_);
    heap_ = mem;
    cap_ = new_cap;
    d = mem;
  }
  std::memmove(d + pos + 1, d + pos, (size_ - pos) * sizeof(uint32_t));
  d[pos] = id;
  ++size_;
}

bool RefList::Remove(uint32_t id) {
  uint32_t* d = mutable_data();
  uint32_t* it = std::lower_bound(d, d + size_, id);
  if (it == d + size_ || *it != id) return false;
  std::memmove(it, it + 1, (d + size_ - it - 1) * sizeof(uint32_t));
  --size_;
  return true;
}

}  // namespace promlet::storage::index
