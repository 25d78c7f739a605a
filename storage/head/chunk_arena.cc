#include "storage/head/chunk_arena.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/uio.h>
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

// The header and the chunk in one pwrite (a record is written exactly once).
bool WriteRecord(int fd, const char* header, std::string_view chunk, off_t off) {
  iovec iov[2] = {{const_cast<char*>(header), ChunkArena::kRecordHeaderBytes},
                  {const_cast<char*>(chunk.data()), chunk.size()}};
  const size_t total = ChunkArena::kRecordHeaderBytes + chunk.size();
  const ssize_t w = pwritev(fd, iov, 2, off);
  if (w == static_cast<ssize_t>(total)) return true;
  if (w < 0) return false;
  // Short write (rare): finish byte-exact with plain pwrite.
  std::string rest(header, ChunkArena::kRecordHeaderBytes);
  rest.append(chunk);
  return WriteAll(fd, rest.data() + w, total - static_cast<size_t>(w), off + w);
}

void EncodeHeader(const char* prev, int64_t min_t, int64_t max_t, uint32_t size, char* out) {
  std::memcpy(out, &prev, 8);
  std::memcpy(out + 8, &min_t, 8);
  std::memcpy(out + 16, &max_t, 8);
  std::memcpy(out + 24, &size, 4);
}

}  // namespace

ChunkArena::ChunkArena(std::string dir) : dir_(std::move(dir)) {
  if (!dir_.empty()) RemoveLeftovers(dir_);
}

ChunkArena::~ChunkArena() { Release(pages_); }

ChunkArena::Page ChunkArena::NewPage(size_t min_size) {
  Page page;
  if (!dir_.empty() && !files_failed_) {
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

char* ChunkArena::Allocate(size_t bytes) {
  if (pages_.empty() || used_ + bytes > pages_.back().size ||
      (files_failed_ && pages_.back().fd >= 0)) {
    pages_.push_back(NewPage(bytes));
    mapped_ += pages_.back().size;
    used_ = 0;
  }
  char* dst = pages_.back().data + used_;
  used_ += bytes;
  return dst;
}

ChunkArena::Page* ChunkArena::FindPage(const char* p) {
  // Newest first: records being written are in the last pages.
  for (size_t i = pages_.size(); i-- > 0;) {
    if (p >= pages_[i].data && p < pages_[i].data + pages_[i].size) return &pages_[i];
  }
  std::abort();  // not ours: a caller bug
}

bool ChunkArena::WriteLocked(Page* page, char* dst, std::string_view bytes) {
  if (page->fd < 0) {
    std::memcpy(dst, bytes.data(), bytes.size());
    return true;
  }
  // pwrite, not a store through the mapping: the page cache holds the
  // bytes and the process's RSS does not.
  if (WriteAll(page->fd, bytes.data(), bytes.size(), dst - page->data)) return true;
  LOG_WARN("head chunk file write failed; keeping chunks in memory", "path", page->path, "err",
           std::strerror(errno));
  files_failed_ = true;
  return false;
}

const char* ChunkArena::Add(const char* prev, int64_t min_t, int64_t max_t,
                            std::string_view chunk) {
  char header[kRecordHeaderBytes];
  EncodeHeader(prev, min_t, max_t, static_cast<uint32_t>(chunk.size()), header);
  const size_t need = kRecordHeaderBytes + chunk.size();
  PlainMutexLock lock(&mu_);
  for (int attempt = 0; attempt < 2; ++attempt) {
    char* dst = Allocate(need);
    Page& page = pages_.back();
    if (page.fd >= 0) {
      if (!WriteRecord(page.fd, header, chunk, static_cast<off_t>(dst - page.data))) {
        // Full disk or I/O error: retry in anonymous memory.
        LOG_WARN("head chunk file write failed; keeping chunks in memory", "path", page.path,
                 "err", std::strerror(errno));
        files_failed_ = true;
        continue;
      }
    } else {
      std::memcpy(dst, header, kRecordHeaderBytes);
      std::memcpy(dst + kRecordHeaderBytes, chunk.data(), chunk.size());
    }
    page.max_t = std::max(page.max_t, max_t);
    return dst;
  }
  std::abort();  // unreachable: the second attempt is in anonymous memory
}

void ChunkArena::Relocate(OpenSlot* slot, size_t used, size_t capacity) {
  char* fresh = Allocate(kRecordHeaderBytes + capacity);
  Page* page = &pages_.back();
  ++page->open_slots;
  if (slot->record != nullptr) {
    // Rare (a chunk far bigger than expected, or a failed write): reading
    // the old slot through the mapping is fine.
    const std::string_view old(slot->record + kRecordHeaderBytes, used);
    if (!WriteLocked(page, fresh + kRecordHeaderBytes, old)) {
      --page->open_slots;
      return Relocate(slot, used, capacity);  // now into anonymous memory
    }
    --FindPage(slot->record)->open_slots;
  }
  slot->record = fresh;
  slot->capacity = static_cast<uint32_t>(capacity);
}

void ChunkArena::WriteOpen(OpenSlot* slot, size_t offset, std::string_view bytes,
                           size_t expected) {
  PlainMutexLock lock(&mu_);
  for (;;) {
    if (slot->record == nullptr) {
      Relocate(slot, 0, std::max(expected, offset + bytes.size()));
    } else if (offset + bytes.size() > slot->capacity) {
      Relocate(slot, offset, std::max<size_t>(2 * slot->capacity, offset + bytes.size() + 64));
    }
    char* dst = slot->record + kRecordHeaderBytes + offset;
    if (WriteLocked(FindPage(slot->record), dst, bytes)) return;
    // The next Relocate goes to anonymous memory.
    Relocate(slot, offset, slot->capacity);
  }
}

const char* ChunkArena::Finish(OpenSlot* slot, const char* prev, int64_t min_t, int64_t max_t,
                               std::string_view header, size_t tail_offset,
                               std::string_view tail) {
  const size_t size = tail_offset + tail.size();
  char head[kRecordHeaderBytes + 2];
  EncodeHeader(prev, min_t, max_t, static_cast<uint32_t>(size), head);
  std::memcpy(head + kRecordHeaderBytes, header.data(), 2);
  PlainMutexLock lock(&mu_);
  for (;;) {
    if (size > slot->capacity) Relocate(slot, tail_offset, size);
    Page* page = FindPage(slot->record);
    if (WriteLocked(page, slot->record + kRecordHeaderBytes + tail_offset, tail) &&
        WriteLocked(page, slot->record, std::string_view(head, sizeof head))) {
      --page->open_slots;
      page->max_t = std::max(page->max_t, max_t);
      const char* record = slot->record;
      *slot = OpenSlot();
      return record;
    }
    Relocate(slot, tail_offset, slot->capacity);
  }
}

void ChunkArena::Abandon(OpenSlot* slot) {
  if (slot->record == nullptr) return;
  PlainMutexLock lock(&mu_);
  --FindPage(slot->record)->open_slots;
  *slot = OpenSlot();
}

ChunkRecord ChunkArena::Read(const char* record) {
  ChunkRecord r;
  uint32_t size;
  std::memcpy(&r.prev, record, 8);
  std::memcpy(&r.min_t, record + 8, 8);
  std::memcpy(&r.max_t, record + 16, 8);
  std::memcpy(&size, record + 24, 4);
  r.bytes = std::string_view(record + kRecordHeaderBytes, size);
  return r;
}

void ChunkArena::DropResident() {
  PlainMutexLock lock(&mu_);
  for (const Page& p : pages_) {
    // Only file pages: for anonymous memory MADV_DONTNEED would zero it.
    if (p.fd >= 0) madvise(p.data, p.size, MADV_DONTNEED);
  }
}

std::vector<ChunkArena::Page> ChunkArena::DetachBefore(int64_t t) {
  PlainMutexLock lock(&mu_);
  std::vector<Page> out;
  // The page being filled stays: new chunks land in it.
  const size_t last = pages_.empty() ? 0 : pages_.size() - 1;
  std::vector<Page> keep;
  for (size_t i = 0; i < pages_.size(); ++i) {
    if (i != last && pages_[i].max_t < t && pages_[i].open_slots == 0) {
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
  PlainMutexLock lock(&mu_);
  return mapped_;
}

}  // namespace promlet::storage::head
