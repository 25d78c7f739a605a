#include "storage/db/db_appender.h"

#include "absl/strings/str_cat.h"

namespace promlet::storage::db {

absl::Status DBAppender::Commit() {
  const std::vector<head::PendingSample>& pending = head_app_->pending();
  if (pending.empty()) return head_app_->Commit();
  absl::MutexLock lock(&db_->commit_mu_);
  if (db_->closed_ || db_->wal_ == nullptr) {
    (void)head_app_->Rollback();
    return absl::UnavailableError("database is closed");
  }
  series_rec_.clear();
  samples_rec_.clear();
  batch_.clear();
  newly_logged_.clear();
  std::vector<wal::RefSeries> new_series;
  for (const head::PendingSample& p : pending) {
    head::MemSeries* s = p.series;
    if (!s->wal_logged()) {
      s->set_wal_logged(true);  // guarded by commit_mu_, like every access
      newly_logged_.push_back(s);
      new_series.push_back({s->id(), s->BuildLabels(db_->head_->symbols())});
    }
    batch_.push_back({s->id(), p.t, p.v});
  }
  if (!new_series.empty()) wal::EncodeSeries(new_series, &series_rec_);
  wal::EncodeSamples(batch_, &samples_rec_);
  absl::Status st = series_rec_.empty() ? db_->wal_->Log({samples_rec_})
                                        : db_->wal_->Log({series_rec_, samples_rec_});
  db_->NoteWalResult(st);
  if (!st.ok()) {
    for (head::MemSeries* s : newly_logged_) s->set_wal_logged(false);
    (void)head_app_->Rollback();
    if (st.code() == absl::StatusCode::kResourceExhausted) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "disk full: database is read-only until space is freed; batch of ", batch_.size(),
          " samples not committed: ", st.message()));
    }
    return st;
  }
  return head_app_->Commit();
}

}  // namespace promlet::storage::db
