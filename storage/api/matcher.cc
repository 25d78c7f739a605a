#include "storage/api/matcher.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/strings.h"
#include "re2/re2.h"
#include "storage/api/labels.h"

namespace promlet::storage {
namespace {

bool IsRegexMeta(char c) {
  switch (c) {
    case '.': case '+': case '*': case '?': case '(': case ')': case '[':
    case ']': case '{': case '}': case '^': case '$': case '|': case '\\':
      return true;
    default:
      return false;
  }
}

// Splits `a|b|c` into literals when no part has regex syntax.
bool SplitLiteralAlternation(std::string_view re, std::vector<std::string>* out) {
  out->clear();
  std::string cur;
  for (char c : re) {
    if (c == '|') {
      out->push_back(cur);
      cur.clear();
    } else if (IsRegexMeta(c)) {
      return false;
    } else {
      cur.push_back(c);
    }
  }
  out->push_back(cur);
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end()), out->end());
  return true;
}

}  // namespace

absl::StatusOr<Matcher> Matcher::Make(MatchType type, std::string name, std::string value) {
  Matcher m;
  m.type_ = type;
  m.name_ = std::move(name);
  m.value_ = std::move(value);
  if (m.is_regex()) {
    RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_dot_nl(true);  // Go's regexp in Prometheus is compiled with (?s).
    auto re = std::make_shared<RE2>(absl::StrCat("^(?:", m.value_, ")$"), opts);
    if (!re->ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid regular expression \"", m.value_, "\": ", re->error()));
    }
    m.re_ = std::move(re);
  }
  m.Analyse();
  return m;
}

Matcher Matcher::Equal(std::string name, std::string value) {
  return *Make(MatchType::kEqual, std::move(name), std::move(value));
}

Matcher Matcher::NotEqual(std::string name, std::string value) {
  return *Make(MatchType::kNotEqual, std::move(name), std::move(value));
}

void Matcher::Analyse() {
  if (is_regex()) {
    has_set_ = SplitLiteralAlternation(value_, &set_values_);
    if (!has_set_) {
      // A literal prefix followed by `.*` is common (`api_.*`).
      size_t i = 0;
      while (i < value_.size() && !IsRegexMeta(value_[i])) ++i;
      // A quantifier applies to the char before it, so it is not in the prefix.
      const bool quantified = i < value_.size() && (value_[i] == '?' || value_[i] == '*' || value_[i] == '{');
      prefix_ = value_.substr(0, quantified && i > 0 ? i - 1 : i);
      prefix_then_any_ = !quantified && value_.size() == i + 2 && value_.compare(i, 2, ".*") == 0;
      // Alternations at the top level make the prefix meaningless.
      if (value_.find('|') != std::string::npos) prefix_.clear(), prefix_then_any_ = false;
    }
  }
  matches_empty_ = Matches("");
}

bool Matcher::Matches(std::string_view v) const {
  switch (type_) {
    case MatchType::kEqual: return v == value_;
    case MatchType::kNotEqual: return v != value_;
    case MatchType::kRegexMatch:
    case MatchType::kRegexNoMatch: {
      bool match;
      if (has_set_) {
        match = std::binary_search(set_values_.begin(), set_values_.end(), v);
      } else if (prefix_then_any_) {
        match = v.substr(0, prefix_.size()) == prefix_;
      } else if (!prefix_.empty() && v.substr(0, prefix_.size()) != prefix_) {
        match = false;
      } else {
        match = RE2::FullMatch(v, *re_);
      }
      return type_ == MatchType::kRegexMatch ? match : !match;
    }
  }
  return false;
}

std::string Matcher::ToString() const {
  static constexpr std::string_view kOps[] = {"=", "!=", "=~", "!~"};
  std::string out = absl::StrCat(name_, base::Absl(kOps[static_cast<int>(type_)]));
  AppendGoQuoted(&out, value_);
  return out;
}

bool MatchesAll(const Matchers& matchers, const Labels& labels) {
  for (const Matcher& m : matchers) {
    if (!m.Matches(labels.Get(m.name()))) return false;
  }
  return true;
}

}  // namespace promlet::storage
