#include "storage/db/db_appender.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "storage/wal/record.h"

namespace promlet::storage::db {
namespace {

constexpr size_t kPrefetchAhead = 8;

// Buffers per thread rather than per appender: a scrape makes a new
// appender each time, and a buffer that starts empty regrows (and, at
// ~10 bytes per sample, is mmap'd and faulted in) on every commit. A
// worker thread's appenders reuse the same capacity. The samples record
// builder is an appender's own while it lives (two appenders of one thread
// may be open at once) and goes back to the thread's spare after.
struct CommitBuffers {
  std::string series_rec;
  std::vector<wal::RefSeries> new_series;
  std::vector<head::MemSeries*> newly_logged;
};
thread_local CommitBuffers tls_buffers;
thread_local wal::SamplesRecordBuilder tls_spare_samples_rec;

}  // namespace

DBAppender::DBAppender(DB* db) : db_(db), head_app_(db->head_->NewHeadAppender()) {
  samples_rec_.Swap(tls_spare_samples_rec);
  samples_rec_.Clear();
}

DBAppender::~DBAppender() {
  // Rolls the head's pending samples back (HeadAppender's destructor).
  if (samples_rec_.capacity() > tls_spare_samples_rec.capacity()) {
    samples_rec_.Swap(tls_spare_samples_rec);
  }
}

absl::Status DBAppender::Rollback() {
  samples_rec_.Clear();
  maybe_new_.clear();
  return head_app_->Rollback();
}

absl::Status DBAppender::Commit() {
  const std::vector<head::PendingSample>& pending = head_app_->pending();
  if (pending.empty()) {
    samples_rec_.Clear();
    maybe_new_.clear();
    return head_app_->Commit();
  }
  absl::MutexLock lock(&db_->commit_mu_);
  if (db_->closed_ || db_->wal_ == nullptr) {
    (void)Rollback();
    return absl::UnavailableError("database is closed");
  }
  CommitBuffers& b = tls_buffers;
  b.series_rec.clear();
  b.new_series.clear();
  b.newly_logged.clear();
  // A series with committed samples was logged before them (below, the
  // head applies a batch only after the WAL took it, and wal_logged is
  // reset only for a failed batch's new series, which got no samples).
  // So a steady scrape's commit never loads its series here; only new ones
  // are checked, and fetched ahead so a first scrape does not wait on one
  // memory miss per sample.
  for (size_t i = 0; i < maybe_new_.size(); ++i) {
    if (i + kPrefetchAhead < maybe_new_.size()) {
      head::PrefetchMemSeries(pending[maybe_new_[i + kPrefetchAhead]].series);
    }
    const head::PendingSample& p = pending[maybe_new_[i]];
    head::MemSeries* s = p.series;
    if (!s->wal_logged()) {
      s->set_wal_logged(true);  // guarded by commit_mu_, like every access
      b.newly_logged.push_back(s);
      b.new_series.push_back({p.id, s->BuildLabels(db_->head_->symbols())});
    }
  }
  if (!b.new_series.empty()) wal::EncodeSeries(b.new_series, &b.series_rec);
  b.new_series.clear();  // frees the label copies; the capacity stays
  const std::string_view samples_rec = samples_rec_.Finish();
  absl::Status st = b.series_rec.empty() ? db_->wal_->Log({samples_rec})
                                        : db_->wal_->Log({b.series_rec, samples_rec});
  db_->NoteWalResult(st);
  if (!st.ok()) {
    for (head::MemSeries* s : b.newly_logged) s->set_wal_logged(false);
    const size_t n = pending.size();
    (void)Rollback();
    if (st.code() == absl::StatusCode::kResourceExhausted) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "disk full: database is read-only until space is freed; batch of ", n,
          " samples not committed: ", st.message()));
    }
    return st;
  }
  samples_rec_.Clear();
  maybe_new_.clear();
  return head_app_->Commit();
}

}  // namespace promlet::storage::db
