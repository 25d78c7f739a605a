// Storage for full (immutable) head chunks, off the general heap: chunks are
// packed back to back into large pages, so a chunk costs its bytes and
// nothing else (no malloc header, no per-chunk capacity slack). Pages are
// returned once every chunk in them is older than the head's lower bound
// (see Head::Truncate).
//
// With a directory, pages are files written with pwrite(2) and mapped
// read-only (Prometheus's mmapped head chunks): written chunks sit in the
// page cache, not in the process's RSS, until a query reads them. The files
// are a cache, not durable state (the WAL is): they are deleted when the
// arena goes and a leftover directory is emptied at start. Without a
// directory (or if a file cannot be made or written, e.g. a full disk),
// pages are anonymous memory.
#ifndef PROMLET_STORAGE_HEAD_CHUNK_ARENA_H_
#define PROMLET_STORAGE_HEAD_CHUNK_ARENA_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace promlet::storage::head {

// Thread-safe.
class ChunkArena {
 public:
  static constexpr size_t kPageBytes = 1 << 20;
  static constexpr size_t kFilePageBytes = 16 << 20;

  // `dir`: where page files go; empty for anonymous memory. The directory
  // must exist; files named "chunks_NNNNNN" in it are removed first.
  explicit ChunkArena(std::string dir = "");
  ~ChunkArena();
  ChunkArena(const ChunkArena&) = delete;
  ChunkArena& operator=(const ChunkArena&) = delete;

  // Copies `chunk` (whose samples end at max_t) into the arena. The returned
  // view stays valid until a FreeBefore(t) with t > max_t has run.
  std::string_view Add(std::string_view chunk, int64_t max_t);

  // Detaches pages whose chunks all end before t and returns them; the caller
  // frees them with Release() once no reader can still see them.
  struct Page {
    char* data = nullptr;
    size_t size = 0;
    int64_t max_t = std::numeric_limits<int64_t>::min();
    int fd = -1;       // file-backed page: written with pwrite
    std::string path;  // its file, removed on release
  };
  std::vector<Page> DetachBefore(int64_t t);
  static void Release(const std::vector<Page>& pages);

  size_t MappedBytes() const;
  bool file_backed() const { return !dir_.empty(); }

 private:
  Page NewPage(size_t min_size) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string dir_;
  mutable absl::Mutex mu_;
  uint64_t next_file_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<Page> pages_ ABSL_GUARDED_BY(mu_);  // last one is being filled
  size_t used_ ABSL_GUARDED_BY(mu_) = 0;          // bytes used in pages_.back()
  size_t mapped_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace promlet::storage::head

#endif  // PROMLET_STORAGE_HEAD_CHUNK_ARENA_H_
