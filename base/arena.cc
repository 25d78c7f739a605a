#include "base/arena.h"

#include <cstdint>

namespace promlet::base {

char* Arena::Allocate(size_t n, size_t align) {
  size_t pad = (align - (reinterpret_cast<uintptr_t>(ptr_) & (align - 1))) & (align - 1);
  if (n + pad <= remaining_) {
    char* p = ptr_ + pad;
    ptr_ += n + pad;
    remaining_ -= n + pad;
    return p;
  }
  // Large requests get their own block so they don't waste a shared tail.
  if (n > block_size_bytes_ / 4) return AllocateNewBlock(n + align);
  ptr_ = AllocateNewBlock(block_size_bytes_);
  remaining_ = block_size_bytes_;
  return Allocate(n, align);
}

char* Arena::AllocateNewBlock(size_t n) {
  blocks_.push_back(std::make_unique<char[]>(n));
  memory_usage_bytes_ += n;
  char* p = blocks_.back().get();
  return p;
}

}  // namespace promlet::base
