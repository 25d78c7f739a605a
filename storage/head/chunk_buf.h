// The growable byte buffer of a series' open head chunk: 16 bytes instead of
// std::string's 32, grown with realloc. It has the data()/size()/push_back()
// /clear() shape that chunkenc::XorAppender writes into. Thread-compatible.
#ifndef PROMLET_STORAGE_HEAD_CHUNK_BUF_H_
#define PROMLET_STORAGE_HEAD_CHUNK_BUF_H_

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace promlet::storage::head {

class ChunkBuf {
 public:
  ChunkBuf() = default;
  ~ChunkBuf() { std::free(data_); }
  ChunkBuf(const ChunkBuf&) = delete;
  ChunkBuf& operator=(const ChunkBuf&) = delete;

  char* data() { return data_; }
  const char* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::string_view view() const { return {data_, size_}; }

  void clear() { size_ = 0; }
  // Keeps the first n bytes (and the capacity).
  void Truncate(size_t n) { size_ = static_cast<uint32_t>(n); }
  void push_back(char c) {
    if (size_ == cap_) Grow();
    data_[size_++] = c;
  }
  // Appends n <= 8 bytes for the caller to write and returns them; 8 bytes
  // from there are writable, so the caller may store a whole word (the
  // bytes past the new size are not part of the buffer).
  char* ExtendWord(size_t n) {
    while (size_ + 8 > cap_) Grow();
    char* p = data_ + size_;
    size_ += static_cast<uint32_t>(n);
    return p;
  }
  // Empties the buffer for the next chunk, keeping its memory when it holds
  // at most max_keep bytes: a steady series then does not free and
  // re-grow it (a malloc and ~4 reallocs) at every chunk cut.
  void ClearKeeping(size_t max_keep) {
    if (cap_ > max_keep) Release();
    size_ = 0;
  }
  // Frees the memory (the chunk moved to the arena).
  void Release() {
    std::free(data_);
    data_ = nullptr;
    size_ = cap_ = 0;
  }

 private:
  void Grow() {
    // Requests of 16k+8 bytes fill glibc's 16-byte-granular blocks (8-byte
    // header) exactly, and growing 16 bytes at a time leaves at most 15
    // bytes of slack: a 120-sample chunk of scrape data is ~150-250 bytes,
    // so this is ~10 reallocs per 120 samples, and ~40 bytes per series
    // less than growing 1.5x.
    const uint32_t cap = cap_ == 0 ? 24 : cap_ + 16;
    auto* p = static_cast<char*>(std::realloc(data_, cap));
    if (p == nullptr) std::abort();
    data_ = p;
    cap_ = cap;
  }

  char* data_ = nullptr;
  uint32_t size_ = 0;
  uint32_t cap_ = 0;
};

}  // namespace promlet::storage::head

#endif  // PROMLET_STORAGE_HEAD_CHUNK_BUF_H_
