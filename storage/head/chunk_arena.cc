#include "storage/head/chunk_arena.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace promlet::storage::head {
namespace {

char* MapPage(size_t size) {
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) std::abort();  // out of address space: nothing sane to do
  return static_cast<char*>(p);
}

}  // namespace

ChunkArena::~ChunkArena() { Release(pages_); }

std::string_view ChunkArena::Add(std::string_view chunk, int64_t max_t) {
  absl::MutexLock lock(&mu_);
  if (pages_.empty() || used_ + chunk.size() > pages_.back().size) {
    const size_t size = std::max(kPageBytes, chunk.size());
    pages_.push_back(Page{MapPage(size), size, max_t});
    mapped_ += size;
    used_ = 0;
  }
  Page& page = pages_.back();
  char* dst = page.data + used_;
  std::memcpy(dst, chunk.data(), chunk.size());
  used_ += chunk.size();
  page.max_t = std::max(page.max_t, max_t);
  return {dst, chunk.size()};
}

std::vector<ChunkArena::Page> ChunkArena::DetachBefore(int64_t t) {
  absl::MutexLock lock(&mu_);
  std::vector<Page> out;
  // The page being filled stays: new chunks land in it.
  const size_t last = pages_.empty() ? 0 : pages_.size() - 1;
  std::vector<Page> keep;
  for (size_t i = 0; i < pages_.size(); ++i) {
    if (i != last && pages_[i].max_t < t) {
      mapped_ -= pages_[i].size;
      out.push_back(pages_[i]);
    } else {
      keep.push_back(pages_[i]);
    }
  }
  pages_ = std::move(keep);
  return out;
}

void ChunkArena::Release(const std::vector<Page>& pages) {
  for (const Page& p : pages) munmap(p.data, p.size);
}

size_t ChunkArena::MappedBytes() const {
  absl::MutexLock lock(&mu_);
  return mapped_;
}

}  // namespace promlet::storage::head
