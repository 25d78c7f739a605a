#include "storage/head/chunk_arena.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/logging.h"

namespace promlet::storage::head {
namespace {

// POSIX directly rather than base::Env: the page files are a cache that
// must be mapped shared and written with pwrite, which Env does not offer.

char* MapAnonymous(size_t size) {
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) std::abort();  // out of address space: nothing sane to do
  return static_cast<char*>(p);
}

void RemoveLeftovers(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return;
  while (dirent* e = readdir(d)) {
    if (std::strncmp(e->d_name, "chunks_", 7) == 0) unlink((dir + "/" + e->d_name).c_str());
  }
  closedir(d);
}

bool WriteAll(int fd, const char* data, size_t n, off_t off) {
  while (n > 0) {
    const ssize_t w = pwrite(fd, data, n, off);
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
    off += w;
  }
  return true;
}

}  // namespace

ChunkArena::ChunkArena(std::string dir) : dir_(std::move(dir)) {
  if (!dir_.empty()) RemoveLeftovers(dir_);
}

ChunkArena::~ChunkArena() { Release(pages_); }

ChunkArena::Page ChunkArena::NewPage(size_t min_size) {
  Page page;
  if (!dir_.empty()) {
    const size_t size = std::max(kFilePageBytes, min_size);
    char name[32];
    std::snprintf(name, sizeof name, "chunks_%06llu", static_cast<unsigned long long>(next_file_++));
    page.path = dir_ + "/" + name;
    page.fd = open(page.path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (page.fd >= 0 && ftruncate(page.fd, static_cast<off_t>(size)) == 0) {
      void* p = mmap(nullptr, size, PROT_READ, MAP_SHARED, page.fd, 0);
      if (p != MAP_FAILED) {
        page.data = static_cast<char*>(p);
        page.size = size;
        return page;
      }
    }
    LOG_WARN("head chunk file unavailable; keeping chunks in memory", "path", page.path, "err",
             std::strerror(errno));
    if (page.fd >= 0) close(page.fd);
    unlink(page.path.c_str());
    page = Page();
  }
  page.size = std::max(kPageBytes, min_size);
  page.data = MapAnonymous(page.size);
  return page;
}

std::string_view ChunkArena::Add(std::string_view chunk, int64_t max_t) {
  absl::MutexLock lock(&mu_);
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (pages_.empty() || used_ + chunk.size() > pages_.back().size) {
      pages_.push_back(NewPage(chunk.size()));
      mapped_ += pages_.back().size;
      used_ = 0;
    }
    Page& page = pages_.back();
    char* dst = page.data + used_;
    if (page.fd >= 0) {
      if (!WriteAll(page.fd, chunk.data(), chunk.size(), static_cast<off_t>(used_))) {
        // Full disk or I/O error: seal this page, retry in anonymous memory.
        LOG_WARN("head chunk file write failed; keeping chunks in memory", "path", page.path,
                 "err", std::strerror(errno));
        used_ = page.size;
        Page anon;
        anon.size = std::max(kPageBytes, chunk.size());
        anon.data = MapAnonymous(anon.size);
        pages_.push_back(anon);
        mapped_ += anon.size;
        used_ = 0;
        continue;
      }
    } else {
      std::memcpy(dst, chunk.data(), chunk.size());
    }
    used_ += chunk.size();
    page.max_t = std::max(page.max_t, max_t);
    return {dst, chunk.size()};
  }
  std::abort();  // unreachable: the second attempt is in anonymous memory
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
      out.push_back(std::move(pages_[i]));
    } else {
      keep.push_back(std::move(pages_[i]));
    }
  }
  pages_ = std::move(keep);
  return out;
}

void ChunkArena::Release(const std::vector<Page>& pages) {
  for (const Page& p : pages) {
    munmap(p.data, p.size);
    if (p.fd >= 0) {
      close(p.fd);
      unlink(p.path.c_str());
    }
  }
}

size_t ChunkArena::MappedBytes() const {
  absl::MutexLock lock(&mu_);
  return mapped_;
}

}  // namespace promlet::storage::head
