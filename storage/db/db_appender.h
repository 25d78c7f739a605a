// The DB's appender: a HeadAppender whose Commit first writes the batch to
// the WAL — a series record for each series not logged yet, then one samples
// record — with one write(2), and applies it to the head only if that
// succeeded. Both records are encoded in one pass over the head appender's
// pending samples. Append-time rejections are the head's (head_appender.h).
// Commit errors: ResourceExhausted (disk full; the batch is rolled back and
// the DB reports read_only), Unavailable (DB closed), other WAL I/O errors.
#ifndef PROMLET_STORAGE_DB_DB_APPENDER_H_
#define PROMLET_STORAGE_DB_DB_APPENDER_H_

#include <memory>

#include "storage/db/db.h"
#include "storage/head/head_appender.h"
#include "storage/wal/record.h"

namespace promlet::storage::db {

// Thread-compatible.
class DBAppender : public Appender {
 public:
  explicit DBAppender(DB* db) : db_(db), head_app_(db->head_->NewHeadAppender()) {}

  absl::StatusOr<SeriesRef> Append(SeriesRef ref, const Labels& labels, int64_t t_ms,
                                   double value) override {
    return head_app_->Append(ref, labels, t_ms, value);
  }
  absl::Status Commit() override;
  absl::Status Rollback() override { return head_app_->Rollback(); }

 private:
  DB* const db_;
  std::unique_ptr<head::HeadAppender> head_app_;
};

}  // namespace promlet::storage::db

#endif  // PROMLET_STORAGE_DB_DB_APPENDER_H_
