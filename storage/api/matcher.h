// Label matchers: =, !=, =~, !~. Regexes are fully anchored like Prometheus
// (`=~"a|b"` means `^(?:a|b)$`) and compiled once with RE2. Literal
// alternations (`a|b|c`) and literal prefixes (`foo.*`) are recognised so
// postings lookups and Matches() can skip RE2 (Prometheus FastRegexMatcher).
//
//   ASSIGN_OR_RETURN(Matcher m, Matcher::Make(MatchType::kRegexMatch, "job", "api|web"));
//   m.Matches("api");  // true
#ifndef PROMLET_STORAGE_API_MATCHER_H_
#define PROMLET_STORAGE_API_MATCHER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace re2 {
class RE2;
}

namespace promlet::storage {

enum class MatchType { kEqual, kNotEqual, kRegexMatch, kRegexNoMatch };

// Immutable after construction; copies share the compiled regex; thread-safe.
class Matcher {
 public:
  // InvalidArgument when a regex does not compile.
  static absl::StatusOr<Matcher> Make(MatchType type, std::string name, std::string value);
  // Equality matchers cannot fail.
  static Matcher Equal(std::string name, std::string value);
  static Matcher NotEqual(std::string name, std::string value);

  bool Matches(std::string_view value) const;

  MatchType type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::string& value() const { return value_; }
  bool is_regex() const { return type_ == MatchType::kRegexMatch || type_ == MatchType::kRegexNoMatch; }
  bool is_negative() const { return type_ == MatchType::kNotEqual || type_ == MatchType::kRegexNoMatch; }

  // True when the empty string (an absent label) matches.
  bool MatchesEmpty() const { return matches_empty_; }

  // For =~ over a literal alternation (`a|b|c`, also a single literal): the
  // exact set of values it matches, sorted. nullptr otherwise.
  const std::vector<std::string>* set_values() const {
    return has_set_ ? &set_values_ : nullptr;
  }
  // The literal prefix every matching value starts with ("" when none).
  const std::string& literal_prefix() const { return prefix_; }

  // PromQL spelling: name="value", name=~"re" (value escaped like Go %q).
  std::string ToString() const;

 private:
  Matcher() = default;
  void Analyse();

  MatchType type_ = MatchType::kEqual;
  std::string name_;
  std::string value_;
  std::shared_ptr<const re2::RE2> re_;
  bool has_set_ = false;
  std::vector<std::string> set_values_;
  std::string prefix_;
  bool prefix_then_any_ = false;  // regex is exactly <prefix>.*
  bool matches_empty_ = false;
};

using Matchers = std::vector<Matcher>;

// True if labels' value for every matcher's name matches.
class Labels;
bool MatchesAll(const Matchers& matchers, const Labels& labels);

}  // namespace promlet::storage

#endif  // PROMLET_STORAGE_API_MATCHER_H_
