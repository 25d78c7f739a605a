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

ChunkArena::~ChunkArena() {
  Release(pages_);
  Release(piece_pages_);
}

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

char* ChunkArena::Allocate(std::vector<Page>* pages, size_t* used, size_t bytes) {
  if (pages->empty() || *used + bytes > pages->back().size ||
      (files_failed_ && pages->back().fd >= 0)) {
    if (pages == &piece_pages_) FlushStage();  // the stage holds one page's pieces
    pages->push_back(NewPage(bytes));
    pages->back().pieces = pages == &piece_pages_;
    mapped_ += pages->back().size;
    *used = 0;
  }
  char* dst = pages->back().data + *used;
  *used += bytes;
  return dst;
}

ChunkArena::Page* ChunkArena::FindPage(const char* p) {
  // Newest first: records and pieces being written are in the last pages.
  for (std::vector<Page>* pages : {&piece_pages_, &pages_}) {
    for (size_t i = pages->size(); i-- > 0;) {
      Page& page = (*pages)[i];
      if (p >= page.data && p < page.data + page.size) return &page;
    }
  }
  std::abort();  // not ours: a caller bug
}

const char* ChunkArena::Add(const char* prev, int64_t min_t, int64_t max_t,
                            std::string_view chunk) {
  PlainMutexLock lock(&mu_);
  return AddLocked(prev, min_t, max_t, chunk);
}

const char* ChunkArena::AddLocked(const char* prev, int64_t min_t, int64_t max_t,
                                  std::string_view chunk) {
  char header[kRecordHeaderBytes];
  EncodeHeader(prev, min_t, max_t, static_cast<uint32_t>(chunk.size()), header);
  const size_t need = kRecordHeaderBytes + chunk.size();
  for (int attempt = 0; attempt < 2; ++attempt) {
    char* dst = Allocate(&pages_, &used_, need);
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

void ChunkArena::Spill(const char** last, std::string_view bytes) {
  if (bytes.size() > kMaxPieceBytes) std::abort();  // a caller bug
  char header[kPieceHeaderBytes];
  std::memcpy(header, last, 8);
  const auto len = static_cast<uint16_t>(bytes.size());
  std::memcpy(header + 8, &len, 2);
  PlainMutexLock lock(&mu_);
  char* dst = Allocate(&piece_pages_, &piece_used_, kPieceHeaderBytes + bytes.size());
  Page& page = piece_pages_.back();
  ++page.open_pieces;
  if (page.fd < 0) {
    std::memcpy(dst, header, kPieceHeaderBytes);
    std::memcpy(dst + kPieceHeaderBytes, bytes.data(), bytes.size());
  } else {
    if (staged_.empty()) {
      staged_at_ = dst;
      staged_fd_ = page.fd;
      staged_.reserve(kStageBytes + kPieceHeaderBytes + kMaxPieceBytes);
    }
    staged_.append(header, kPieceHeaderBytes);
    staged_.append(bytes);
    if (staged_.size() >= kStageBytes) FlushStage();
  }
  *last = dst;
}

void ChunkArena::FlushStage() {
  if (staged_.empty()) return;
  Page* page = FindPage(staged_at_);
  if (!WriteAll(staged_fd_, staged_.data(), staged_.size(), staged_at_ - page->data)) {
    // The pieces stay readable from a copy; new pages are anonymous.
    LOG_WARN("head chunk file write failed; keeping chunks in memory", "path", page->path, "err",
             std::strerror(errno));
    files_failed_ = true;
    unwritten_.emplace_back(staged_at_, staged_);
  }
  staged_.clear();
  staged_at_ = nullptr;
  staged_fd_ = -1;
}

const char* ChunkArena::PieceBytes(const char* piece) const {
  if (piece >= staged_at_ && piece < staged_at_ + staged_.size()) {
    return staged_.data() + (piece - staged_at_);
  }
  for (const auto& [at, copy] : unwritten_) {
    if (piece >= at && piece < at + copy.size()) return copy.data() + (piece - at);
  }
  return piece;
}

template <typename F>
void ChunkArena::WalkPieces(const char* last, size_t spilled, F&& f) const {
  size_t end = spilled;
  for (const char* piece = last; piece != nullptr;) {
    const char* bytes = PieceBytes(piece);
    const char* prev;
    uint16_t len;
    std::memcpy(&prev, bytes, 8);
    std::memcpy(&len, bytes + 8, 2);
    if (len > end) std::abort();  // the series' count and its pieces disagree
    end -= len;
    f(piece, bytes + kPieceHeaderBytes, end, len);
    piece = prev;
  }
  if (end != 0) std::abort();
}

void ChunkArena::ReleasePieces(const char* last, size_t spilled, char* out) {
  Page* page = nullptr;
  WalkPieces(last, spilled, [&](const char* piece, const char* data, size_t offset, size_t len) {
    if (out != nullptr) std::memcpy(out + offset, data, len);
    // A chain's pieces are mostly in one page.
    if (page == nullptr || piece < page->data || piece >= page->data + page->size) {
      page = FindPage(piece);
    }
    --page->open_pieces;
  });
}

void ChunkArena::ReadSpilled(const char* last, size_t spilled, char* out) const {
  PlainMutexLock lock(&mu_);
  WalkPieces(last, spilled, [&](const char*, const char* data, size_t offset, size_t len) {
    std::memcpy(out + offset, data, len);
  });
}

const char* ChunkArena::AddSpilled(const char* last, size_t spilled, const char* prev,
                                   int64_t min_t, int64_t max_t, std::string_view header,
                                   std::string_view tail) {
  // Most chunks fit the stack buffer.
  char small[1024];
  std::string big;
  const size_t size = header.size() + spilled + tail.size();
  char* chunk = small;
  if (size > sizeof small) {
    big.resize(size);
    chunk = big.data();
  }
  std::memcpy(chunk, header.data(), header.size());
  std::memcpy(chunk + header.size() + spilled, tail.data(), tail.size());
  PlainMutexLock lock(&mu_);
  ReleasePieces(last, spilled, chunk + header.size());
  // Reading pieces back maps their log pages; unmap them now and then so
  // they do not add up in RSS.
  if (++joins_since_drop_ >= kJoinsPerDrop) DropResidentPieces();
  return AddLocked(prev, min_t, max_t, std::string_view(chunk, size));
}

void ChunkArena::Abandon(const char* last, size_t spilled) {
  if (last == nullptr) return;
  PlainMutexLock lock(&mu_);
  ReleasePieces(last, spilled, nullptr);
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
  DropResidentPieces();
}

void ChunkArena::DropResidentPieces() {
  for (const Page& p : piece_pages_) {
    if (p.fd >= 0) madvise(p.data, p.size, MADV_DONTNEED);
  }
  joins_since_drop_ = 0;
}

std::vector<ChunkArena::Page> ChunkArena::DetachBefore(int64_t t) {
  PlainMutexLock lock(&mu_);
  std::vector<Page> out;
  // The pages being filled stay: new records and pieces land in them.
  auto detach = [&](std::vector<Page>* pages) {
    const size_t last = pages->empty() ? 0 : pages->size() - 1;
    std::vector<Page> keep;
    for (size_t i = 0; i < pages->size(); ++i) {
      Page& page = (*pages)[i];
      if (i != last && page.max_t < t && page.open_pieces == 0) {
        mapped_ -= page.size;
        out.push_back(std::move(page));
      } else {
        keep.push_back(std::move(page));
      }
    }
    *pages = std::move(keep);
  };
  detach(&pages_);
  detach(&piece_pages_);
  // Pieces whose write failed live only in memory; drop the copies of
  // those that went with their page.
  std::erase_if(unwritten_, [&](const auto& u) {
    return std::any_of(out.begin(), out.end(), [&](const Page& p) {
      return u.first >= p.data && u.first < p.data + p.size;
    });
  });
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
