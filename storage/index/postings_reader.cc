#include "storage/index/postings_reader.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"

namespace promlet::storage::index {
namespace {

// The values a matcher (or, with `invert`, its negation) matches can be
// listed without scanning the label's values: =, != and literal sets.
// Returns false when a scan is needed.
bool DirectValues(const Matcher& m, bool invert, std::vector<std::string_view>* out) {
  const bool positive = (m.type() == MatchType::kEqual || m.type() == MatchType::kRegexMatch);
  if (positive == invert) return false;  // would need "every value except ..."
  switch (m.type()) {
    case MatchType::kEqual:
    case MatchType::kNotEqual:
      out->push_back(m.value());
      return true;
    case MatchType::kRegexMatch:
    case MatchType::kRegexNoMatch:
      if (m.set_values() == nullptr) return false;
      for (const std::string& v : *m.set_values()) out->push_back(v);
      return true;
  }
  return false;
}

// Series having label m.name() with a value v where m.Matches(v) != invert.
std::unique_ptr<Postings> PostingsForMatcher(PostingsReader* r, const Matcher& m, bool invert) {
  std::vector<std::string_view> values;
  if (DirectValues(m, invert, &values)) {
    std::vector<std::unique_ptr<Postings>> its;
    for (std::string_view v : values) {
      if (v.empty()) continue;  // no series has an empty value
      its.push_back(r->PostingsFor(m.name(), v));
    }
    return Merge(std::move(its));
  }
  // Matcher::Matches applies the literal-prefix fast path before RE2.
  return r->PostingsForValues(m.name(), [&](std::string_view v) {
    return m.Matches(v) != invert;
  });
}

}  // namespace

std::unique_ptr<Postings> PostingsReader::PostingsForValues(
    std::string_view name, absl::FunctionRef<bool(std::string_view)> keep) {
  std::vector<std::string> values;
  ForEachLabelValue(name, [&](std::string_view v) {
    if (keep(v)) values.emplace_back(v);
  });
  std::vector<std::unique_ptr<Postings>> its;
  its.reserve(values.size());
  for (const std::string& v : values) its.push_back(PostingsFor(name, v));
  return Merge(std::move(its));
}

std::unique_ptr<Postings> PostingsForMatchers(PostingsReader* r, const Matchers& matchers) {
  absl::flat_hash_set<std::string_view> must_be_set;
  for (const Matcher& m : matchers) {
    if (!m.MatchesEmpty()) must_be_set.insert(m.name());
  }
  std::vector<std::unique_ptr<Postings>> its, not_its;
  for (const Matcher& m : matchers) {
    if (must_be_set.contains(m.name())) {
      const bool matches_empty = m.MatchesEmpty();
      if (m.is_negative() && matches_empty) {
        // l!="foo": the label is set by another matcher; subtract the
        // series whose value the inverse matches.
        not_its.push_back(PostingsForMatcher(r, m, /*invert=*/true));
      } else if (m.is_negative() && !matches_empty) {
        // l!="" or l!~"x|": every series with a value m matches.
        std::unique_ptr<Postings> p = PostingsForMatcher(r, m, /*invert=*/false);
        if (p->IsEmpty()) return EmptyPostings();
        its.push_back(std::move(p));
      } else {
        std::unique_ptr<Postings> p = PostingsForMatcher(r, m, /*invert=*/false);
        if (p->IsEmpty()) return EmptyPostings();
        its.push_back(std::move(p));
      }
    } else {
      // m matches "", so series without the label match too: subtract the
      // series whose (non-empty) value m rejects.
      not_its.push_back(PostingsForMatcher(r, m, /*invert=*/true));
    }
  }
  if (its.empty()) its.push_back(r->AllPostings());
  std::unique_ptr<Postings> p = Intersect(std::move(its));
  for (auto& n : not_its) p = Without(std::move(p), std::move(n));
  return p;
}

}  // namespace promlet::storage::index
