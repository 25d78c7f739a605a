// Writes one immutable block directory from a sorted SeriesSet. The head
// (through its own Querier), the compactor (through a merged set of older
// blocks) and the backfill importer all feed it the same way, so nothing is
// copied up front: samples stream from the iterators into chunk pages.
//
//   ASSIGN_OR_RETURN(BlockMeta meta,
//                    WriteBlock(data_dir, set.get(), mint, maxt));
//   // data_dir/<meta.ulid>/ now exists, complete and fsynced.
#ifndef PROMLET_STORAGE_BLOCK_BLOCK_WRITER_H_
#define PROMLET_STORAGE_BLOCK_BLOCK_WRITER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/env.h"
#include "storage/api/querier.h"
#include "storage/block/meta.h"

namespace promlet::storage::block {

struct WriteBlockOptions {
  // Every file and directory operation goes through it (borrowed).
  base::Env* env = base::Env::Default();
  int compaction_level = 1;
  // ULIDs of the blocks merged in; empty for a fresh block (then the new
  // block's own ULID).
  std::vector<std::string> sources;
  // ULID creation time; 0 means the wall clock.
  int64_t now_ms = 0;
  // Test hook: stop after writing <ULID>.tmp/ as if the process died
  // before the rename; returns Aborted and leaves the tmp directory.
  bool crash_before_rename_for_test = false;
};

// Writes the samples of `set` with mint_ms <= t < maxt_ms into
// `dir`/<ULID>/ via <ULID>.tmp/ + fsync + rename. `set` must yield series
// sorted by labels with samples ascending (repeated timestamps are
// dropped, the first kept). Series with no sample in range are left out.
// When no series has a sample, nothing is written and meta.ulid is empty.
// Errors: InvalidArgument for unsorted input; the set's/iterators' error;
// I/O errors, ResourceExhausted for a full disk (the tmp directory is
// removed on failure: no partial block is left behind).
absl::StatusOr<BlockMeta> WriteBlock(const std::string& dir, SeriesSet* set, int64_t mint_ms,
                                     int64_t maxt_ms, const WriteBlockOptions& options = {});

// Removes leftover `*.tmp` directories (crashed writes) under `dir`.
absl::Status RemoveTmpDirs(const std::string& dir, base::Env* env = base::Env::Default());

}  // namespace promlet::storage::block

#endif  // PROMLET_STORAGE_BLOCK_BLOCK_WRITER_H_
