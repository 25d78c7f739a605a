// Postings: sorted lists of series refs behind an iterator, and the
// combinators that resolve label matchers (Prometheus `index/postings.go`):
//
//   std::unique_ptr<Postings> p = Intersect(std::move(lists));  // smallest first
//   p = Without(std::move(p), std::move(excluded));
//   while (p->Next()) use(p->At());
//   RETURN_IF_ERROR(p->status());
//
// A virtual call per posting is fine here: postings are resolved once per
// query, then chunks are iterated without virtual calls.
#ifndef PROMLET_STORAGE_INDEX_POSTINGS_H_
#define PROMLET_STORAGE_INDEX_POSTINGS_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "storage/api/appender.h"

namespace promlet::storage::index {

// Iterator over ascending, distinct series refs. Thread-compatible.
// Sticky error: loop on Next()/Seek(), then check status().
class Postings {
 public:
  virtual ~Postings() = default;
  // Advances to the next ref; false at the end.
  virtual bool Next() = 0;
  // Advances to the first ref >= v; stays when the current one qualifies.
  virtual bool Seek(SeriesRef v) = 0;
  // REQUIRES: the last Next()/Seek() returned true.
  virtual SeriesRef At() const = 0;
  virtual absl::Status status() const { return absl::OkStatus(); }
  // An upper bound of the number of refs, used to order intersections.
  virtual size_t SizeHint() const { return std::numeric_limits<size_t>::max(); }
  // True for the empty list, so callers can short-circuit.
  virtual bool IsEmpty() const { return false; }
};

// A postings list over an owned sorted vector.
class ListPostings : public Postings {
 public:
  explicit ListPostings(std::vector<SeriesRef> refs) : refs_(std::move(refs)) {}
  bool Next() override { return ++pos_ < refs_.size(); }
  bool Seek(SeriesRef v) override;
  SeriesRef At() const override { return refs_[pos_]; }
  size_t SizeHint() const override { return refs_.size(); }
  bool IsEmpty() const override { return refs_.empty(); }

 private:
  std::vector<SeriesRef> refs_;
  size_t pos_ = static_cast<size_t>(-1);
};

std::unique_ptr<Postings> EmptyPostings();
std::unique_ptr<Postings> ErrorPostings(absl::Status status);

// Refs present in every input. Inputs are visited smallest SizeHint first.
// No inputs gives the empty list.
std::unique_ptr<Postings> Intersect(std::vector<std::unique_ptr<Postings>> its);
// Refs present in any input, each once.
std::unique_ptr<Postings> Merge(std::vector<std::unique_ptr<Postings>> its);
// Refs of `full` not in `drop`.
std::unique_ptr<Postings> Without(std::unique_ptr<Postings> full,
                                  std::unique_ptr<Postings> drop);

// Drains p into a vector; returns p's error if any.
absl::Status ExpandPostings(Postings* p, std::vector<SeriesRef>* out);

}  // namespace promlet::storage::index

#endif  // PROMLET_STORAGE_INDEX_POSTINGS_H_
