// In-memory postings index of the head: label pair -> sorted series ids.
// Label strings are not copied: callers pass views of interned symbols that
// outlive the index (the head's SymbolTable).
//
//   MemPostings p;
//   p.Add(7, labels_as_views);      // on series creation
//   auto it = PostingsForMatchers(&p, matchers);
#ifndef PROMLET_STORAGE_INDEX_MEM_POSTINGS_H_
#define PROMLET_STORAGE_INDEX_MEM_POSTINGS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "base/strings.h"
#include "storage/api/labels.h"
#include "storage/index/postings_reader.h"
#include "storage/index/ref_list.h"

namespace promlet::storage::index {

// Thread-safe: writers take the lock exclusively, readers shared; readers
// get copies of the lists, so they never see a list being resized.
class MemPostings : public PostingsReader {
 public:
  MemPostings() = default;
  MemPostings(const MemPostings&) = delete;
  MemPostings& operator=(const MemPostings&) = delete;

  // Adds series `id` under each of its labels. REQUIRES: the views stay
  // valid for the index's lifetime.
  void Add(uint32_t id, const std::vector<Label>& labels);
  // Removes series `id` (as added with these labels).
  void Remove(uint32_t id, const std::vector<Label>& labels);

  // PostingsReader.
  std::unique_ptr<Postings> PostingsFor(std::string_view name, std::string_view value) override;
  std::unique_ptr<Postings> AllPostings() override;
  void ForEachLabelValue(std::string_view name,
                         absl::FunctionRef<void(std::string_view)> f) override;
  std::unique_ptr<Postings> PostingsForValues(
      std::string_view name, absl::FunctionRef<bool(std::string_view)> keep) override;

  // Sorted label names / values that at least one series has.
  std::vector<std::string> LabelNames() const;
  std::vector<std::string> LabelValues(std::string_view name) const;

  // Calls f(name, value, num_series) for every pair. Holds the read lock.
  void ForEachPair(absl::FunctionRef<void(std::string_view, std::string_view, uint32_t)> f) const;

  size_t NumSeries() const;
  // Heap bytes held by the index (maps and lists), for memory accounting.
  size_t MemoryBytes() const;

 private:
  using ValueMap = absl::flat_hash_map<std::string_view, RefList, base::StringHash, base::StringEq>;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string_view, ValueMap, base::StringHash, base::StringEq> by_name_
      ABSL_GUARDED_BY(mu_);
  RefList all_ ABSL_GUARDED_BY(mu_);
};

}  // namespace promlet::storage::index

#endif  // PROMLET_STORAGE_INDEX_MEM_POSTINGS_H_
