// Storage for full (immutable) head chunks, off the general heap: chunk
// records are packed back to back into large pages, so a chunk costs its
// bytes and nothing else (no malloc header, no per-chunk capacity slack).
// Each record starts with a header that links to the previous record of the
// same series, so a series keeps only its newest record's address in RAM
// (MemSeries), whatever the number of its full chunks. Pages are returned
// once every chunk in them is older than the head's lower bound (see
// Head::Truncate).
//
// With a directory, pages are files written with pwrite(2) and mapped
// read-only (Prometheus's mmapped head chunks): written chunks sit in the
// page cache, not in the process's RSS, until a query reads them (and
// DropResident() unmaps what reads brought in). The files
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

#include "absl/base/thread_annotations.h"
#include "storage/head/plain_mutex.h"

namespace promlet::storage::head {

// A full chunk as stored: its time range, its bytes, and the record of the
// same series' previous chunk (nullptr for the first).
struct ChunkRecord {
  const char* prev = nullptr;
  int64_t min_t = 0;
  int64_t max_t = 0;
  std::string_view bytes;
};

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

  // Bytes of a record's header (prev, min_t, max_t, size), before the chunk.
  static constexpr size_t kRecordHeaderBytes = 8 + 8 + 8 + 4;

  // Stores `chunk` (samples in [min_t, max_t]) in a record linked to `prev`
  // (the series' previous record or nullptr). Returns the record's address,
  // valid until the pages released by a DetachBefore(t) with t > max_t are
  // freed.
  const char* Add(const char* prev, int64_t min_t, int64_t max_t, std::string_view chunk);
  // Decodes the record at `record` (an address Add returned).
  static ChunkRecord Read(const char* record);

  // Open chunks. A series whose open chunk outgrows a small heap buffer
  // moves the chunk's finished bytes into a slot reserved here, where the
  // chunk's record is completed when it is cut: the heap then holds only the
  // chunk's last bytes, and the full chunk is still one contiguous record.
  // A slot is a record address plus a capacity in chunk bytes; a page with
  // open slots is never detached.
  struct OpenSlot {
    char* record = nullptr;
    uint32_t capacity = 0;
  };
  // Writes `bytes` at chunk offset `offset` of *slot, reserving the slot
  // (capacity at least `expected` chunk bytes) when slot->record is null.
  // Chunk bytes [0, offset) were written before (or are the 2 header bytes,
  // written by Finish). Moves the slot to a bigger one, or to anonymous
  // memory when its file cannot be written, as needed.
  void WriteOpen(OpenSlot* slot, size_t offset, std::string_view bytes, size_t expected);
  // Completes *slot's record: chunk bytes [0, 2) are `header` (the chunk's
  // sample count), `tail` goes at `tail_offset`, and the chunk is
  // tail_offset + tail.size() bytes long. Returns the record's address, as
  // Add does.
  const char* Finish(OpenSlot* slot, const char* prev, int64_t min_t, int64_t max_t,
                     std::string_view header, size_t tail_offset, std::string_view tail);
  // Gives up an open slot (its series dropped the open chunk).
  void Abandon(OpenSlot* slot);

  // Unmaps the file pages that reads brought into the process (they stay
  // in the page cache), so RSS holds only what the heap holds. Safe while
  // readers run: a later read maps the page again.
  void DropResident();

  // Detaches pages whose chunks all end before t and returns them; the caller
  // frees them with Release() once no reader can still see them.
  struct Page {
    char* data = nullptr;
    size_t size = 0;
    int64_t max_t = std::numeric_limits<int64_t>::min();
    int open_slots = 0;  // OpenSlots in this page: it stays while > 0
    int fd = -1;         // file-backed page: written with pwrite
    std::string path;  // its file, removed on release
  };
  std::vector<Page> DetachBefore(int64_t t);
  static void Release(const std::vector<Page>& pages);

  size_t MappedBytes() const;
  bool file_backed() const { return !dir_.empty(); }

 private:
  Page NewPage(size_t min_size) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Room for `bytes` in the page being filled (a new one if needed).
  char* Allocate(size_t bytes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Page* FindPage(const char* p) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Writes into a page: pwrite for a file page, memcpy otherwise. False on
  // a write error (the arena then keeps new pages in anonymous memory).
  bool WriteLocked(Page* page, char* dst, std::string_view bytes)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Moves *slot to a new slot of `capacity` chunk bytes, copying chunk
  // bytes [0, used).
  void Relocate(OpenSlot* slot, size_t used, size_t capacity) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string dir_;
  mutable PlainMutex mu_;
  uint64_t next_file_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<Page> pages_ ABSL_GUARDED_BY(mu_);  // last one is being filled
  size_t used_ ABSL_GUARDED_BY(mu_) = 0;          // bytes used in pages_.back()
  size_t mapped_ ABSL_GUARDED_BY(mu_) = 0;
  bool files_failed_ ABSL_GUARDED_BY(mu_) = false;  // a write failed: no more files
};

}  // namespace promlet::storage::head

#endif  // PROMLET_STORAGE_HEAD_CHUNK_ARENA_H_
