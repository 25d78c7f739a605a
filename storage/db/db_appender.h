// The DB's appender: a HeadAppender whose Commit first writes the batch to
// the WAL — a series record for each series not logged yet, then one samples
// record — with one write(2), and applies it to the head only if that
// succeeded. The samples record is encoded as each sample is appended (its
// values at hand), so Commit only looks at the batch's new series.
// Append-time rejections are the head's (head_appender.h).
// Commit errors: ResourceExhausted (disk full; the batch is rolled back and
// the DB reports read_only), Unavailable (DB closed), other WAL I/O errors.
#ifndef PROMLET_STORAGE_DB_DB_APPENDER_H_
#define PROMLET_STORAGE_DB_DB_APPENDER_H_

#include <cstddef>
#include <memory>
#include <vector>

#include "storage/db/db.h"
#include "storage/head/head_appender.h"
#include "storage/wal/record.h"

namespace promlet::storage::db {

// Thread-compatible.
class DBAppender final : public Appender {
 public:
  explicit DBAppender(DB* db);
  ~DBAppender() override;

  absl::StatusOr<SeriesRef> Append(SeriesRef ref, const Labels& labels, int64_t t_ms,
                                   double value) override {
    const std::vector<head::PendingSample>& pending = head_app_->pending();
    const size_t before = pending.size();
    absl::StatusOr<SeriesRef> r = head_app_->Append(ref, labels, t_ms, value);
    // Rejections and exact duplicates add no pending sample, nor a WAL one.
    if (pending.size() != before) {
      const head::PendingSample& p = pending.back();
      samples_rec_.Add(p.id, p.t, p.v);
      if (!p.had_samples) maybe_new_.push_back(before);
    }
    return r;
  }
  absl::Status Commit() override;
  absl::Status Rollback() override;

 private:
  DB* const db_;
  std::unique_ptr<head::HeadAppender> head_app_;
  // The pending samples' WAL record, built by Append.
  wal::SamplesRecordBuilder samples_rec_;
  // Indexes of pending samples whose series had no committed samples: the
  // only ones that may need a series record (see Commit).
  std::vector<size_t> maybe_new_;
};

}  // namespace promlet::storage::db

#endif  // PROMLET_STORAGE_DB_DB_APPENDER_H_
