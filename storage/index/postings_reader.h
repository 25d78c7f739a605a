// The read side of a postings index (the head's MemPostings and a block's
// on-disk index both implement it) and matcher resolution over it, with the
// semantics of Prometheus `PostingsForMatchers`:
//
//   ASSIGN_OR_RETURN(std::vector<SeriesRef> refs, ...);
//   std::unique_ptr<Postings> p = PostingsForMatchers(reader, matchers);
#ifndef PROMLET_STORAGE_INDEX_POSTINGS_READER_H_
#define PROMLET_STORAGE_INDEX_POSTINGS_READER_H_

#include <memory>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "storage/api/matcher.h"
#include "storage/index/postings.h"

namespace promlet::storage::index {

// Thread-safe for concurrent readers (implementations say how).
class PostingsReader {
 public:
  virtual ~PostingsReader() = default;

  // Series with label name=value; EmptyPostings() when there are none.
  virtual std::unique_ptr<Postings> PostingsFor(std::string_view name,
                                                std::string_view value) = 0;
  // Every series.
  virtual std::unique_ptr<Postings> AllPostings() = 0;
  // Calls f once for each value label `name` has, in no particular order.
  // The view lives until f returns.
  virtual void ForEachLabelValue(std::string_view name,
                                 absl::FunctionRef<void(std::string_view)> f) = 0;
  // Union of PostingsFor(name, v) over the values v with keep(v). The default
  // uses the calls above; implementations may do it under one lock.
  virtual std::unique_ptr<Postings> PostingsForValues(
      std::string_view name, absl::FunctionRef<bool(std::string_view)> keep);
};

// Series matching every matcher. Like Prometheus: a matcher that matches ""
// also selects series without the label; `!=`/`!~` become subtractions;
// =, =~ over literal alternations, and their negations, are direct lookups.
// With no matcher that rejects "", starts from AllPostings().
std::unique_ptr<Postings> PostingsForMatchers(PostingsReader* reader, const Matchers& matchers);

}  // namespace promlet::storage::index

#endif  // PROMLET_STORAGE_INDEX_POSTINGS_READER_H_
