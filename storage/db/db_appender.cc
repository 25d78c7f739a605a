#include "storage/db/db_appender.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "storage/wal/record.h"

namespace promlet::storage::db {
namespace {

constexpr size_t kPrefetchAhead = 8;

// Encoding buffers, per thread rather than per appender: a scrape makes a
// new appender each time, and a buffer that starts empty regrows (and, at
// 28 bytes of worst case per sample, is mmap'd and faulted in) on every
// commit. A worker thread's commits reuse the same capacity.
struct CommitBuffers {
  std::string series_rec;
  std::string samples_rec;
  std::vector<wal::RefSeries> new_series;
  std::vector<head::MemSeries*> newly_logged;
};
thread_local CommitBuffers tls_buffers;

}  // namespace

absl::Status DBAppender::Commit() {
  const std::vector<head::PendingSample>& pending = head_app_->pending();
  if (pending.empty()) return head_app_->Commit();
  absl::MutexLock lock(&db_->commit_mu_);
  if (db_->closed_ || db_->wal_ == nullptr) {
    (void)head_app_->Rollback();
    return absl::UnavailableError("database is closed");
  }
  CommitBuffers& b = tls_buffers;
  b.series_rec.clear();
  b.samples_rec.clear();
  b.new_series.clear();
  b.newly_logged.clear();
  wal::SamplesRecordEncoder samples(&b.samples_rec, pending.size(), pending[0].id, pending[0].t);
  for (size_t i = 0; i < pending.size(); ++i) {
    const head::PendingSample& p = pending[i];
    // A series with committed samples was logged before them (below, the
    // head applies a batch only after the WAL took it, and wal_logged is
    // reset only for a failed batch's new series, which got no samples).
    // So a steady scrape's commit never loads its series here; only new
    // ones are checked, and fetched ahead so a first scrape does not wait
    // on one memory miss per sample.
    if (i + kPrefetchAhead < pending.size() && !pending[i + kPrefetchAhead].had_samples) {
      head::PrefetchMemSeries(pending[i + kPrefetchAhead].series);
    }
    if (!p.had_samples && !p.series->wal_logged()) {
      head::MemSeries* s = p.series;
      s->set_wal_logged(true);  // guarded by commit_mu_, like every access
      b.newly_logged.push_back(s);
      b.new_series.push_back({p.id, s->BuildLabels(db_->head_->symbols())});
    }
    samples.Add(p.id, p.t, p.v);
  }
  samples.Finish();
  if (!b.new_series.empty()) wal::EncodeSeries(b.new_series, &b.series_rec);
  b.new_series.clear();  // frees the label copies; the capacity stays
  absl::Status st = b.series_rec.empty() ? db_->wal_->Log({b.samples_rec})
                                        : db_->wal_->Log({b.series_rec, b.samples_rec});
  db_->NoteWalResult(st);
  if (!st.ok()) {
    for (head::MemSeries* s : b.newly_logged) s->set_wal_logged(false);
    (void)head_app_->Rollback();
    if (st.code() == absl::StatusCode::kResourceExhausted) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "disk full: database is read-only until space is freed; batch of ", pending.size(),
          " samples not committed: ", st.message()));
    }
    return st;
  }
  return head_app_->Commit();
}

}  // namespace promlet::storage::db
