// Storage for full (immutable) head chunks, off the general heap: chunks are
// packed back to back into large anonymous mmap'd pages, so a chunk costs its
// bytes and nothing else (no malloc header, no per-chunk capacity slack).
// Pages are returned to the OS once every chunk in them is older than the
// head's lower bound (see Head::Truncate).
#ifndef PROMLET_STORAGE_HEAD_CHUNK_ARENA_H_
#define PROMLET_STORAGE_HEAD_CHUNK_ARENA_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace promlet::storage::head {

// Thread-safe.
class ChunkArena {
 public:
  static constexpr size_t kPageBytes = 1 << 20;

  ChunkArena() = default;
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
  };
  std::vector<Page> DetachBefore(int64_t t);
  static void Release(const std::vector<Page>& pages);

  size_t MappedBytes() const;

 private:
  mutable absl::Mutex mu_;
  std::vector<Page> pages_ ABSL_GUARDED_BY(mu_);  // last one is being filled
  size_t used_ ABSL_GUARDED_BY(mu_) = 0;          // bytes used in pages_.back()
  size_t mapped_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace promlet::storage::head

#endif  // PROMLET_STORAGE_HEAD_CHUNK_ARENA_H_
