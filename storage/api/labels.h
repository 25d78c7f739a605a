// Label sets: the identity of a series. A Labels value is one contiguous
// buffer of length-prefixed name/value pairs sorted by name, with no
// duplicate names (Prometheus `labels_stringlabels.go`), so copying is one
// allocation and comparing is a walk over bytes.
//
//   Labels l = Labels::FromPairs({{"__name__", "up"}, {"job", "node"}});
//   l.Get("job");           // "node"
//   for (Label x : l) ...;  // sorted by name
//   l.ToString();           // {__name__="up", job="node"}
#ifndef PROMLET_STORAGE_API_LABELS_H_
#define PROMLET_STORAGE_API_LABELS_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace promlet::storage {

inline constexpr std::string_view kMetricName = "__name__";

struct Label {
  std::string_view name;
  std::string_view value;
  friend bool operator==(const Label&, const Label&) = default;
};

// Immutable value type; thread-compatible.
class Labels {
 public:
  Labels() = default;

  // Builds from pairs in any order. Later duplicates of a name win; pairs
  // with an empty value are dropped (Prometheus treats them as absent).
  static Labels FromPairs(
      std::initializer_list<std::pair<std::string_view, std::string_view>> pairs);
  static Labels FromVector(std::vector<Label> labels);

  // Adopts an encoded buffer produced by bytes(). REQUIRES: well-formed
  // (came from another Labels); used by storage to rebuild from symbols.
  static Labels FromEncoded(std::string encoded) {
    Labels l;
    l.data_ = std::move(encoded);
    return l;
  }

  class Iterator {
   public:
    Label operator*() const { return current_; }
    Iterator& operator++();
    bool operator==(const Iterator& o) const { return pos_ == o.pos_; }
    bool operator!=(const Iterator& o) const { return pos_ != o.pos_; }

   private:
    friend class Labels;
    Iterator(const char* pos, const char* end);
    void Decode();
    const char* pos_;
    const char* next_;
    const char* end_;
    Label current_;
  };

  Iterator begin() const { return Iterator(data_.data(), data_.data() + data_.size()); }
  Iterator end() const {
    return Iterator(data_.data() + data_.size(), data_.data() + data_.size());
  }

  bool empty() const { return data_.empty(); }
  size_t size() const;  // number of labels; O(n)

  // Value of `name`, or "" when absent.
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  std::string_view MetricName() const { return Get(kMetricName); }

  // Hash of the content; equal sets hash equal within one process.
  uint64_t Hash() const;
  // Hash that is the same in every process and release (FNV-1a over the
  // encoding); for things persisted or spread deterministically, such as
  // scrape offsets.
  uint64_t StableHash() const;

  // The encoding: for each label, varint(len) name varint(len) value.
  std::string_view bytes() const { return data_; }

  // Prometheus's Labels.String(): {a="b", c="d"} with Go-style escaping.
  std::string ToString() const;

  std::vector<Label> ToVector() const;

  // Orders like Prometheus labels.Compare: label by label, name then value.
  static int Compare(const Labels& a, const Labels& b);
  friend bool operator==(const Labels& a, const Labels& b) { return a.data_ == b.data_; }
  friend bool operator<(const Labels& a, const Labels& b) { return Compare(a, b) < 0; }

  template <typename H>
  friend H AbslHashValue(H h, const Labels& l) {
    return H::combine(std::move(h), l.data_);
  }

 private:
  std::string data_;
};

// Appends s double-quoted with Go-style escapes (\", \\, \n, \t, \r), as
// Prometheus prints label values and matcher values.
void AppendGoQuoted(std::string* out, std::string_view s);

// Mutable set used to derive new label sets (relabeling, PromQL functions,
// scrape target labels). Thread-compatible. Reuse one builder to avoid
// reallocating: Reset() keeps capacity.
class LabelsBuilder {
 public:
  LabelsBuilder() = default;
  explicit LabelsBuilder(const Labels& base) { Reset(base); }

  void Reset(const Labels& base);
  void Clear() { labels_.clear(); }

  // Sets name=value; an empty value deletes the label.
  LabelsBuilder& Set(std::string_view name, std::string_view value);
  LabelsBuilder& Del(std::string_view name);
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;

  // Calls f(name, value) for each label in name order.
  template <typename F>
  void ForEach(F&& f) const {
    for (const auto& [n, v] : labels_) f(std::string_view(n), std::string_view(v));
  }
  // Keeps only labels for which keep(name, value) is true.
  template <typename F>
  void Filter(F&& keep) {
    std::erase_if(labels_, [&](const auto& kv) { return !keep(std::string_view(kv.first), std::string_view(kv.second)); });
  }

  Labels Build() const;

 private:
  // Sorted by name; a handful of labels, so a vector beats a map.
  std::vector<std::pair<std::string, std::string>> labels_;
};

}  // namespace promlet::storage

#endif  // PROMLET_STORAGE_API_LABELS_H_
