// Reading the WAL: a record iterator over one segment, and replay of a whole
// WAL directory (latest checkpoint, then later segments) that repairs a torn
// or corrupt tail instead of failing (docs/format/wal.md "Reading, replay and
// repair"). Memory: one 32 KiB page plus the largest record.
//
//   ReplayStats stats;
//   RETURN_IF_ERROR(ReplayWal(env, wal_dir, [&](std::string_view rec) {
//     switch (GetRecordType(rec)) { ... }   // record.h decoders
//     return absl::OkStatus();
//   }, &stats));
//   if (stats.corruptions > 0) ...;        // already logged and repaired
#ifndef PROMLET_STORAGE_WAL_WAL_READER_H_
#define PROMLET_STORAGE_WAL_WAL_READER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "base/env.h"
#include "storage/wal/wal_format.h"

namespace promlet::storage::wal {

// Iterates the records of one segment. Thread-compatible.
//
//   SegmentReader r(file.get());
//   while (r.Next()) Use(r.record());
//   if (!r.status().ok()) ...;  // DataLoss at r.corrupt_offset()
class SegmentReader {
 public:
  // `file` is borrowed and must outlive the reader.
  explicit SegmentReader(const base::RandomAccessFile* file);

  // Advances to the next record; false at the end of the segment or at the
  // first bad fragment (then status() is not OK).
  bool Next();
  // The current record; valid until the next call to Next().
  std::string_view record() const { return record_; }
  // OK at a clean end of segment; DataLoss (with file and offset) at a bad
  // fragment or a record cut off by the end of the file; other codes for
  // I/O errors.
  const absl::Status& status() const { return status_; }
  // Offset just past the last whole record returned: where to truncate.
  uint64_t good_offset() const { return good_offset_; }
  // True when the error is a record cut off by the end of the file (a torn
  // write) rather than bytes that are wrong.
  bool torn() const { return torn_; }

 private:
  bool Fail(uint64_t offset, std::string_view why, bool torn);
  // Loads the page holding page_start_; false at end of file or error.
  bool LoadPage();

  const base::RandomAccessFile* const file_;
  std::string page_;           // current page bytes (up to kPageSize)
  std::string_view page_data_; // view of what was read of the page
  uint64_t page_start_ = 0;    // file offset of page_data_[0]
  size_t pos_ = 0;             // next fragment offset within the page
  bool page_loaded_ = false;
  std::string assembled_;      // a record spanning pages
  std::string_view record_;
  uint64_t good_offset_ = 0;
  bool torn_ = false;
  bool done_ = false;
  absl::Status status_;
};

struct ReplayStats {
  int checkpoint = -1;          // index of the checkpoint read, or -1
  int first_segment = -1;       // segments read, or -1 when none
  int last_segment = -1;
  int64_t records = 0;
  int64_t bytes = 0;            // record payload bytes
  int64_t corruptions = 0;      // torn or corrupt places repaired
  int64_t truncated_bytes = 0;  // bytes cut off the damaged segment
  int64_t removed_segments = 0; // segments after it that were removed
};

using RecordFn = std::function<absl::Status(std::string_view record)>;

// Calls fn for every record of the latest checkpoint and of the segments
// after it, in order; the view is valid during the call only. Creates `dir`
// when absent. A torn or corrupt place truncates the WAL there (the segment
// cut to its last whole record, later segments removed), logs LOG_WARN, and
// counts in stats; replay then returns OK. Removes leftover
// "checkpoint.*.tmp" directories. Errors: I/O errors from env, and the
// first error fn returns (replay stops there).
absl::Status ReplayWal(base::Env* env, const std::string& dir, const RecordFn& fn,
                       ReplayStats* stats);

// Reads segments [first, last] of `dir` in order without repairing
// (checkpointing reads settled segments): DataLoss at the first bad record.
// A missing segment in the range is skipped.
absl::Status ReadSegments(base::Env* env, const std::string& dir, int first, int last,
                          const RecordFn& fn);

// The highest complete checkpoint in `dir`, or -1.
absl::StatusOr<int> LastCheckpoint(base::Env* env, const std::string& dir);

}  // namespace promlet::storage::wal

#endif  // PROMLET_STORAGE_WAL_WAL_READER_H_
