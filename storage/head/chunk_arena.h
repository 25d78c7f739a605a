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
#include <utility>
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
  // moves the chunk's finished bytes here in pieces: each piece is a small
  // record (the series' previous piece, a length, the bytes) appended to a
  // log in pages of their own, and a file page's pieces are staged in memory
  // and written with one pwrite per kStageBytes, not one per piece. When the
  // chunk is cut, its pieces are read back (through the mapping), joined
  // with the header and the heap's tail into one contiguous record, and
  // released; a log page is detached once every piece in it is released.
  // A series keeps its newest piece's address and the total length.
  static constexpr size_t kStageBytes = 64 << 10;
  // Appends `bytes` (at most kMaxPieceBytes) as the next piece of the open
  // chunk whose newest piece is *last (nullptr for none) and points *last at
  // it.
  static constexpr size_t kMaxPieceBytes = 0xffff;
  void Spill(const char** last, std::string_view bytes);
  // Writes the `spilled` bytes of the pieces ending at `last` to out, oldest
  // first.
  void ReadSpilled(const char* last, size_t spilled, char* out) const;
  // Stores a cut chunk whose bytes are `header` (2 bytes, the sample
  // count), the `spilled` bytes of the pieces ending at `last`, then `tail`,
  // in a record as Add does, and releases the pieces.
  const char* AddSpilled(const char* last, size_t spilled, const char* prev, int64_t min_t,
                         int64_t max_t, std::string_view header, std::string_view tail);
  // Releases the `spilled` bytes of pieces ending at `last` (their series
  // dropped the chunk).
  void Abandon(const char* last, size_t spilled);

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
    int open_pieces = 0;  // unreleased open-chunk pieces: it stays while > 0
    bool pieces = false;  // a page of the open-chunk log
    int fd = -1;         // file-backed page: written with pwrite
    std::string path;  // its file, removed on release
  };
  std::vector<Page> DetachBefore(int64_t t);
  static void Release(const std::vector<Page>& pages);

  size_t MappedBytes() const;
  bool file_backed() const { return !dir_.empty(); }

 private:
  // A piece's header: its series' previous piece (8 bytes), its length (2).
  static constexpr size_t kPieceHeaderBytes = 8 + 2;
  // How many cuts read pieces back between unmaps of the log pages: a few
  // MB of mapped log at most, and an madvise per page every few thousand
  // samples.
  static constexpr int kJoinsPerDrop = 512;

  Page NewPage(size_t min_size) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Room for `bytes` in the page being filled of `pages` (a new one if
  // needed).
  char* Allocate(std::vector<Page>* pages, size_t* used, size_t bytes)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Page* FindPage(const char* p) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  const char* AddLocked(const char* prev, int64_t min_t, int64_t max_t, std::string_view chunk)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Where a piece's bytes are now: the stage, a copy kept after a failed
  // write, or the page itself.
  const char* PieceBytes(const char* piece) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Writes the staged pieces to their file; keeps a copy when that fails.
  void FlushStage() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Calls f(piece, bytes, offset, length) for each piece ending at `last`,
  // newest first, with the offset of its bytes in the `spilled` bytes of
  // the chain; aborts when the pieces do not add up to `spilled`.
  template <typename F>
  void WalkPieces(const char* last, size_t spilled, F&& f) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Releases the pieces ending at `last`; with `out`, first copies their
  // `spilled` bytes there.
  void ReleasePieces(const char* last, size_t spilled, char* out)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Unmaps the log pages that reading pieces back brought into the process.
  void DropResidentPieces() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string dir_;
  mutable PlainMutex mu_;
  uint64_t next_file_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<Page> pages_ ABSL_GUARDED_BY(mu_);  // last one is being filled
  size_t used_ ABSL_GUARDED_BY(mu_) = 0;          // bytes used in pages_.back()
  std::vector<Page> piece_pages_ ABSL_GUARDED_BY(mu_);  // the open-chunk log
  size_t piece_used_ ABSL_GUARDED_BY(mu_) = 0;
  // Pieces not yet written to the file page they were given, which holds
  // them from staged_at_ on.
  std::string staged_ ABSL_GUARDED_BY(mu_);
  char* staged_at_ ABSL_GUARDED_BY(mu_) = nullptr;
  int staged_fd_ ABSL_GUARDED_BY(mu_) = -1;
  // Pieces whose write failed, by address (rare: a full disk).
  std::vector<std::pair<const char*, std::string>> unwritten_ ABSL_GUARDED_BY(mu_);
  // Chunks joined since log pages were last unmapped (DropResidentPieces).
  int joins_since_drop_ ABSL_GUARDED_BY(mu_) = 0;
  size_t mapped_ ABSL_GUARDED_BY(mu_) = 0;
  bool files_failed_ ABSL_GUARDED_BY(mu_) = false;  // a write failed: no more files
};

}  // namespace promlet::storage::head

#endif  // PROMLET_STORAGE_HEAD_CHUNK_ARENA_H_
