// The write seam. The scraper, the importer and tests write only through
// Appender; storage implements it.
//
//   std::unique_ptr<Appender> app = db->NewAppender();
//   ASSIGN_OR_RETURN(SeriesRef ref, app->Append(0, labels, t_ms, v));
//   ...                          // later samples: app->Append(ref, {}, t, v)
//   RETURN_IF_ERROR(app->Commit());  // one WAL batch; durable vs. SIGKILL
#ifndef PROMLET_STORAGE_API_APPENDER_H_
#define PROMLET_STORAGE_API_APPENDER_H_

#include <bit>
#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/api/labels.h"

namespace promlet::storage {

// Opaque, stable id of a series in one storage instance; 0 means "unknown".
using SeriesRef = uint64_t;

// The staleness marker: a NaN with a payload that means "this series ended
// here". It must survive every encoding bit for bit.
inline constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ull;
inline double StaleNaN() { return std::bit_cast<double>(kStaleNaNBits); }
inline bool IsStaleNaN(double v) { return std::bit_cast<uint64_t>(v) == kStaleNaNBits; }
// Ordinary NaN used when a scraped value is NaN, so it is never mistaken for
// the staleness marker (Prometheus value.NormalNaN).
inline constexpr uint64_t kNormalNaNBits = 0x7ff8000000000001ull;

// Per-sample rejections carry these codes and no message (no allocation):
//   OutOfRange     sample older than the series' last one or the head window
//                  ("out of order" / "out of bounds")
//   AlreadyExists  same timestamp, different value ("duplicate sample")
//   InvalidArgument  labels empty, unsorted, duplicated or without __name__
//   ResourceExhausted / Unavailable  storage read-only (disk full) or closed
//
// Thread-compatible: one appender per goroutine-equivalent (one per scrape).
class Appender {
 public:
  virtual ~Appender() = default;

  // Adds a sample. When ref is a value returned earlier by this storage the
  // labels are not looked at (pass {}); otherwise the series is found or
  // created from labels. Returns the series ref to pass next time.
  virtual absl::StatusOr<SeriesRef> Append(SeriesRef ref, const Labels& labels,
                                           int64_t t_ms, double value) = 0;

  // Makes every sample appended since the last Commit/Rollback visible and
  // durable against a killed process. On error nothing is committed.
  virtual absl::Status Commit() = 0;
  // Discards every sample appended since the last Commit/Rollback.
  virtual absl::Status Rollback() = 0;
};

// Thread-safe factory of appenders.
class Appendable {
 public:
  virtual ~Appendable() = default;
  virtual std::unique_ptr<Appender> NewAppender() = 0;
};

}  // namespace promlet::storage

#endif  // PROMLET_STORAGE_API_APPENDER_H_
