#include "storage/api/labels.h"

#include <algorithm>

#include "absl/hash/hash.h"
#include "base/coding.h"

namespace promlet::storage {
namespace {

void AppendLabel(std::string* dst, std::string_view name, std::string_view value) {
  base::PutLengthPrefixed(dst, name);
  base::PutLengthPrefixed(dst, value);
}

}  // namespace

void AppendGoQuoted(std::string* out, std::string_view s) {
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\t': out->append("\\t"); break;
      case '\r': out->append("\\r"); break;
      default: out->push_back(c);
    }
  }
  out->push_back('"');
}

Labels::Iterator::Iterator(const char* pos, const char* end)
    : pos_(pos), next_(pos), end_(end) {
  if (pos_ < end_) Decode();
}

void Labels::Iterator::Decode() {
  std::string_view in(pos_, end_ - pos_);
  base::GetLengthPrefixed(&in, &current_.name);
  base::GetLengthPrefixed(&in, &current_.value);
  next_ = in.data();
}

Labels::Iterator& Labels::Iterator::operator++() {
  pos_ = next_;
  if (pos_ < end_) Decode();
  return *this;
}

Labels Labels::FromPairs(
    std::initializer_list<std::pair<std::string_view, std::string_view>> pairs) {
  std::vector<Label> v;
  v.reserve(pairs.size());
  for (const auto& [n, val] : pairs) v.push_back({n, val});
  return FromVector(std::move(v));
}

Labels Labels::FromVector(std::vector<Label> labels) {
  // Stable so that, among duplicates, the last one is last and wins below.
  std::stable_sort(labels.begin(), labels.end(),
                   [](const Label& a, const Label& b) { return a.name < b.name; });
  Labels out;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i + 1 < labels.size() && labels[i + 1].name == labels[i].name) continue;
    if (labels[i].value.empty()) continue;
    AppendLabel(&out.data_, labels[i].name, labels[i].value);
  }
  return out;
}

size_t Labels::size() const {
  size_t n = 0;
  for (auto it = begin(); it != end(); ++it) ++n;
  return n;
}

std::string_view Labels::Get(std::string_view name) const {
  for (Label l : *this) {
    if (l.name == name) return l.value;
    if (l.name > name) break;
  }
  return {};
}

bool Labels::Has(std::string_view name) const {
  for (Label l : *this) {
    if (l.name == name) return true;
    if (l.name > name) break;
  }
  return false;
}

uint64_t Labels::Hash() const { return absl::HashOf(data_); }

uint64_t Labels::StableHash() const {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : data_) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string Labels::ToString() const {
  std::string out = "{";
  bool first = true;
  for (Label l : *this) {
    if (!first) out.append(", ");
    first = false;
    out.append(l.name);
    out.push_back('=');
    AppendGoQuoted(&out, l.value);
  }
  out.push_back('}');
  return out;
}

std::vector<Label> Labels::ToVector() const {
  std::vector<Label> v;
  for (Label l : *this) v.push_back(l);
  return v;
}

int Labels::Compare(const Labels& a, const Labels& b) {
  auto ia = a.begin(), ib = b.begin();
  for (; ia != a.end() && ib != b.end(); ++ia, ++ib) {
    Label la = *ia, lb = *ib;
    if (int c = la.name.compare(lb.name); c != 0) return c;
    if (int c = la.value.compare(lb.value); c != 0) return c;
  }
  if (ia != a.end()) return 1;
  if (ib != b.end()) return -1;
  return 0;
}

void LabelsBuilder::Reset(const Labels& base) {
  labels_.clear();
  for (Label l : base) labels_.emplace_back(std::string(l.name), std::string(l.value));
}

LabelsBuilder& LabelsBuilder::Set(std::string_view name, std::string_view value) {
  if (value.empty()) return Del(name);
  auto it = std::lower_bound(labels_.begin(), labels_.end(), name,
                             [](const auto& kv, std::string_view n) { return kv.first < n; });
  if (it != labels_.end() && it->first == name) {
    it->second.assign(value);
  } else {
    labels_.emplace(it, std::string(name), std::string(value));
  }
  return *this;
}

LabelsBuilder& LabelsBuilder::Del(std::string_view name) {
  auto it = std::lower_bound(labels_.begin(), labels_.end(), name,
                             [](const auto& kv, std::string_view n) { return kv.first < n; });
  if (it != labels_.end() && it->first == name) labels_.erase(it);
  return *this;
}

std::string_view LabelsBuilder::Get(std::string_view name) const {
  for (const auto& [n, v] : labels_) {
    if (n == name) return v;
  }
  return {};
}

bool LabelsBuilder::Has(std::string_view name) const { return !Get(name).empty(); }

Labels LabelsBuilder::Build() const {
  std::string data;
  for (const auto& [n, v] : labels_) AppendLabel(&data, n, v);
  return Labels::FromEncoded(std::move(data));
}

}  // namespace promlet::storage
