// WAL checkpoints: after the head moves data older than min_time_ms into
// blocks, the segments holding it are condensed into checkpoint.<to>/
// (series still live, samples >= min_time_ms, their tombstones) so the
// segments can be removed (docs/format/wal.md "Checkpoints").
//
//   ASSIGN_OR_RETURN(int next, wal->NextSegment());   // seal the current one
//   ASSIGN_OR_RETURN(std::vector<int> segs, ListSegments(env, dir));
//   int to = next - 1;
//   ASSIGN_OR_RETURN(CheckpointStats cs,
//       Checkpoint(env, dir, segs.front(), to,
//                  [&](SeriesRef r) { return head->HasSeries(r); }, mint));
//   RETURN_IF_ERROR(RemoveSegmentsUpTo(env, dir, to));
//   RETURN_IF_ERROR(RemoveCheckpointsBefore(env, dir, to));
#ifndef PROMLET_STORAGE_WAL_CHECKPOINT_H_
#define PROMLET_STORAGE_WAL_CHECKPOINT_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "base/env.h"
#include "storage/api/appender.h"

namespace promlet::storage::wal {

struct CheckpointStats {
  int index = -1;  // the checkpoint written: checkpoint.<index>
  int64_t series_kept = 0;
  int64_t series_dropped = 0;
  int64_t samples_kept = 0;
  int64_t samples_dropped = 0;
  int64_t tombstones_kept = 0;
  int64_t tombstones_dropped = 0;
};

// Writes checkpoint.<to_segment> from the latest existing checkpoint with an
// index below from_segment (if any) and segments [from_segment, to_segment]. Does not remove anything. Errors: DataLoss if
// an input segment is corrupt (nothing is written then), I/O errors
// (ResourceExhausted when the disk is full; the temporary dir is removed).
// REQUIRES: to_segment is sealed (below Wal::current_segment()).
absl::StatusOr<CheckpointStats> Checkpoint(
    base::Env* env, const std::string& wal_dir, int from_segment, int to_segment,
    const std::function<bool(SeriesRef)>& keep_series, int64_t min_time_ms);

// Removes checkpoints with index < `index`.
absl::Status RemoveCheckpointsBefore(base::Env* env, const std::string& wal_dir, int index);

}  // namespace promlet::storage::wal

#endif  // PROMLET_STORAGE_WAL_CHECKPOINT_H_
