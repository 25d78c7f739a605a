#include "storage/wal/checkpoint.h"

#include <climits>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "storage/wal/record.h"
#include "storage/wal/wal.h"
#include "storage/wal/wal_reader.h"

namespace promlet::storage::wal {
namespace {

// Items buffered per output record: about 100-300 KiB records, a few pages.
constexpr size_t kBatch = 10000;

// Filters decoded records into batches and logs them to the checkpoint's
// own segments. Thread-compatible.
class CheckpointWriter {
 public:
  CheckpointWriter(Wal* out, const std::function<bool(SeriesRef)>& keep, int64_t mint,
                   CheckpointStats* stats)
      : out_(out), keep_(keep), mint_(mint), stats_(stats) {}

  absl::Status Add(std::string_view rec) {
    switch (GetRecordType(rec)) {
      case RecordType::kSeries:
        RETURN_IF_ERROR(DecodeSeries(rec, &series_in_));
        for (RefSeries& s : series_in_) {
          if (!keep_(s.ref)) {
            ++stats_->series_dropped;
            continue;
          }
          ++stats_->series_kept;
          series_.push_back(std::move(s));
        }
        if (series_.size() >= kBatch) return FlushSeries();
        return absl::OkStatus();
      case RecordType::kSamples:
        RETURN_IF_ERROR(DecodeSamples(rec, &samples_in_));
        for (const RefSample& s : samples_in_) {
          if (s.t_ms < mint_ || !keep_(s.ref)) {
            ++stats_->samples_dropped;
            continue;
          }
          ++stats_->samples_kept;
          samples_.push_back(s);
        }
        if (samples_.size() >= kBatch) return FlushSamples();
        return absl::OkStatus();
      case RecordType::kTombstones:
        RETURN_IF_ERROR(DecodeTombstones(rec, &tombstones_in_));
        for (const RefTombstone& t : tombstones_in_) {
          if (t.max_t_ms < mint_ || !keep_(t.ref)) {
            ++stats_->tombstones_dropped;
            continue;
          }
          ++stats_->tombstones_kept;
          tombstones_.push_back(t);
        }
        if (tombstones_.size() >= kBatch) return FlushTombstones();
        return absl::OkStatus();
      case RecordType::kUnknown:
        break;
    }
    return absl::DataLossError("wal checkpoint: unknown record type");
  }

  // Series first: replay must know a series before its samples.
  absl::Status Finish() {
    RETURN_IF_ERROR(FlushSeries());
    RETURN_IF_ERROR(FlushSamples());
    return FlushTombstones();
  }

 private:
  absl::Status FlushSeries() {
    if (series_.empty()) return absl::OkStatus();
    rec_.clear();
    EncodeSeries(series_, &rec_);
    series_.clear();
    return out_->Log(rec_);
  }
  absl::Status FlushSamples() {
    if (samples_.empty()) return absl::OkStatus();
    RETURN_IF_ERROR(FlushSeries());
    rec_.clear();
    EncodeSamples(samples_, &rec_);
    samples_.clear();
    return out_->Log(rec_);
  }
  absl::Status FlushTombstones() {
    if (tombstones_.empty()) return absl::OkStatus();
    RETURN_IF_ERROR(FlushSeries());
    rec_.clear();
    EncodeTombstones(tombstones_, &rec_);
    tombstones_.clear();
    return out_->Log(rec_);
  }

  Wal* const out_;
  const std::function<bool(SeriesRef)>& keep_;
  const int64_t mint_;
  CheckpointStats* const stats_;
  std::vector<RefSeries> series_in_, series_;
  std::vector<RefSample> samples_in_, samples_;
  std::vector<RefTombstone> tombstones_in_, tombstones_;
  std::string rec_;
};

}  // namespace

absl::StatusOr<CheckpointStats> Checkpoint(
    base::Env* env, const std::string& wal_dir, int from_segment, int to_segment,
    const std::function<bool(SeriesRef)>& keep_series, int64_t min_time_ms) {
  CheckpointStats stats;
  ASSIGN_OR_RETURN(int prev, LastCheckpoint(env, wal_dir));
  if (prev >= to_segment) {
    return absl::FailedPreconditionError(absl::StrCat(
        "wal checkpoint ", prev, " already covers segments up to ", to_segment));
  }
  // Segments the previous checkpoint covers are read from it, not again.
  if (prev >= from_segment) from_segment = prev + 1;
  stats.index = to_segment;
  const std::string final_dir = base::JoinPath(wal_dir, CheckpointName(to_segment));
  const std::string tmp_dir = final_dir + ".tmp";
  RETURN_IF_ERROR(env->RemoveDirRecursive(tmp_dir));
  RETURN_IF_ERROR(env->CreateDir(tmp_dir));

  auto write = [&]() -> absl::Status {
    WalOptions opts;
    opts.sync_interval = absl::ZeroDuration();
    ASSIGN_OR_RETURN(std::unique_ptr<Wal> out, Wal::Open(env, tmp_dir, opts));
    CheckpointWriter w(out.get(), keep_series, min_time_ms, &stats);
    RecordFn add = [&w](std::string_view rec) { return w.Add(rec); };
    if (prev >= 0) {
      RETURN_IF_ERROR(ReadSegments(env, base::JoinPath(wal_dir, CheckpointName(prev)), 0,
                                   INT_MAX, add));
    }
    RETURN_IF_ERROR(ReadSegments(env, wal_dir, from_segment, to_segment, add));
    RETURN_IF_ERROR(w.Finish());
    RETURN_IF_ERROR(out->Close());  // fsyncs the segment
    RETURN_IF_ERROR(env->SyncDir(tmp_dir));
    RETURN_IF_ERROR(env->Rename(tmp_dir, final_dir));
    return env->SyncDir(wal_dir);
  };
  absl::Status s = write();
  if (!s.ok()) {
    (void)env->RemoveDirRecursive(tmp_dir);
    return absl::Status(s.code(), absl::StrCat("wal checkpoint ", to_segment, ": ", s.message()));
  }
  return stats;
}

absl::Status RemoveCheckpointsBefore(base::Env* env, const std::string& wal_dir, int index) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(wal_dir));
  bool removed = false;
  for (const std::string& name : names) {
    int i;
    if (ParseCheckpointName(name, &i) && i < index) {
      RETURN_IF_ERROR(env->RemoveDirRecursive(base::JoinPath(wal_dir, name)));
      removed = true;
    }
  }
  return removed ? env->SyncDir(wal_dir) : absl::OkStatus();
}

}  // namespace promlet::storage::wal
