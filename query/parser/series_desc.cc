#include "query/parser/series_desc.h"

#include <charconv>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/strings.h"
#include "query/parser/lexer.h"
#include "query/parser/literals.h"
#include "storage/api/appender.h"

namespace promlet::query {
namespace {

using internal::Lexer;
using internal::Token;
using internal::TokenType;

// Bounds the expansion of `axN` so a typo cannot exhaust memory.
constexpr uint64_t kMaxValues = uint64_t{1} << 24;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_'; }

class SeriesDescParser {
 public:
  explicit SeriesDescParser(std::string_view line) : line_(line) {}

  absl::StatusOr<SeriesDesc> Parse();

 private:
  absl::Status Error(int pos, std::string_view msg) const {
    return absl::InvalidArgumentError(
        absl::StrCat(internal::FormatPosition(line_, pos), ": parse error: ", base::Absl(msg)));
  }
  absl::Status Unexpected(const Token& t, std::string_view context,
                          std::string_view expected) const {
    if (t.type == TokenType::kError) return Error(t.pos, t.message);
    std::string msg = absl::StrCat("unexpected ", t.Desc(), " in ", base::Absl(context));
    if (!expected.empty()) absl::StrAppend(&msg, ", expected ", base::Absl(expected));
    return Error(t.pos, msg);
  }
  // Parses the metric part; returns the offset where the values start.
  absl::StatusOr<int> ParseMetric(std::vector<std::pair<std::string, std::string>>* labels);
  absl::Status ParseItem(int pos, std::string_view item, SeriesDesc* out);
  // A number (with optional sign) at item[*i]; advances *i.
  bool ParseValue(std::string_view item, size_t* i, double* v, bool* stale);
  bool ParseUint(std::string_view digits, uint64_t* n) const;
  absl::Status Append(SeriesDesc* out, std::optional<double> v, uint64_t count);

  std::string_view line_;
};

absl::StatusOr<int> SeriesDescParser::ParseMetric(
    std::vector<std::pair<std::string, std::string>>* labels) {
  Lexer lex(line_);
  Token t = lex.Next();
  if (t.type == TokenType::kEOF) return 0;  // "" is the empty label set
  int end = 0;
  if (t.type == TokenType::kIdentifier || t.type == TokenType::kMetricIdentifier ||
      internal::IsAggregator(t.type) || internal::IsKeyword(t.type) || t.type == TokenType::kLand ||
      t.type == TokenType::kLor || t.type == TokenType::kLunless) {
    labels->emplace_back("__name__", std::string(t.val));
    end = t.end();
    // Only a brace right after the name opens a label set.
    if (end >= static_cast<int>(line_.size()) || line_[end] != '{') return end;
    t = lex.Next();
  }
  if (t.type != TokenType::kLeftBrace) return Unexpected(t, "series values", "");
  for (;;) {
    t = lex.Next();
    if (t.type == TokenType::kRightBrace) return t.end();
    std::string name;
    if (t.type == TokenType::kIdentifier) {
      name = std::string(t.val);
    } else if (t.type == TokenType::kString) {
      if (!internal::UnquoteString(t.val, &name)) return Error(t.pos, "invalid string");
    } else {
      return Unexpected(t, "label set", "identifier or \"}\"");
    }
    const bool quoted = t.type == TokenType::kString;
    t = lex.Next();
    if (t.type == TokenType::kEql) {
      t = lex.Next();
      if (t.type != TokenType::kString) return Unexpected(t, "label set", "string");
      std::string value;
      if (!internal::UnquoteString(t.val, &value)) return Error(t.pos, "invalid string");
      labels->emplace_back(std::move(name), std::move(value));
      t = lex.Next();
    } else if (quoted) {
      labels->emplace_back("__name__", std::move(name));
    } else {
      return Unexpected(t, "label set", "\"=\"");
    }
    if (t.type == TokenType::kRightBrace) return t.end();
    if (t.type != TokenType::kComma) return Unexpected(t, "label set", "\",\" or \"}\"");
  }
}

bool SeriesDescParser::ParseUint(std::string_view digits, uint64_t* n) const {
  if (digits.empty()) return false;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), *n);
  return ec == std::errc() && p == digits.data() + digits.size();
}

bool SeriesDescParser::ParseValue(std::string_view item, size_t* i, double* v, bool* stale) {
  *stale = false;
  double sign = 1;
  bool signed_value = false;
  if (*i < item.size() && (item[*i] == '+' || item[*i] == '-')) {
    sign = item[*i] == '-' ? -1 : 1;
    signed_value = true;
    ++*i;
  }
  const size_t start = *i;
  if (*i < item.size() && (IsDigit(item[*i]) || item[*i] == '.')) {
    while (*i < item.size()) {
      const char c = item[*i];
      if (IsDigit(c) || c == '.' || c == '_') {
        ++*i;
      } else if ((c == 'e' || c == 'E') && *i + 1 < item.size()) {
        ++*i;
        if (item[*i] == '+' || item[*i] == '-') ++*i;
      } else {
        break;
      }
    }
  } else {
    // A word: Inf, NaN or stale (lex.go lexes it up to the next non-alnum,
    // so "Infx3" is one bad word).
    while (*i < item.size() && (IsAlnum(item[*i]) || item[*i] == ':')) ++*i;
    const std::string word = absl::AsciiStrToLower(base::Absl(item.substr(start, *i - start)));
    if (item.substr(start, *i - start) == "stale" && !signed_value) {
      *stale = true;
      return true;
    }
    if (word != "inf" && word != "nan") return false;
  }
  std::string err;
  if (*i == start || !internal::ParseGoNumber(item.substr(start, *i - start), v, &err))
    return false;
  *v *= sign;
  return true;
}

absl::Status SeriesDescParser::Append(SeriesDesc* out, std::optional<double> v, uint64_t count) {
  if (count > kMaxValues || out->values.size() + count > kMaxValues) {
    return absl::InvalidArgumentError("series description: too many values");
  }
  out->values.insert(out->values.end(), count, v);
  return absl::OkStatus();
}

absl::Status SeriesDescParser::ParseItem(int pos, std::string_view item, SeriesDesc* out) {
  auto bad = [&] {
    return Error(pos, absl::StrCat("unexpected ", absl::StrCat("\"", base::Absl(item), "\""),
                                   " in series values"));
  };
  auto repetition = [&](std::string_view digits, uint64_t* n) -> absl::Status {
    if (!ParseUint(digits, n)) {
      return Error(pos, absl::StrCat("invalid repetition in series values: strconv.ParseUint: "
                                     "parsing \"",
                                     base::Absl(digits), "\": invalid syntax"));
    }
    return absl::OkStatus();
  };
  if (item == "_") return Append(out, std::nullopt, 1);
  if (item.starts_with("_x")) {
    uint64_t n = 0;
    if (absl::Status s = repetition(item.substr(2), &n); !s.ok()) return s;
    return Append(out, std::nullopt, n);
  }
  if (item.starts_with("{{")) {
    // Native histogram, optionally {{..}}xN or {{A}}+{{B}}xN: kept as gaps.
    size_t close = item.find("}}");
    if (close == std::string_view::npos) return bad();
    std::string_view rest = item.substr(close + 2);
    uint64_t slots = 1;
    if (!rest.empty() && (rest[0] == '+' || rest[0] == '-')) {
      if (!rest.substr(1).starts_with("{{")) return bad();
      const size_t c2 = rest.find("}}");
      if (c2 == std::string_view::npos) return bad();
      rest = rest.substr(c2 + 2);
      if (!rest.starts_with("x")) return bad();
    }
    if (!rest.empty()) {
      if (rest[0] != 'x') return bad();
      uint64_t n = 0;
      if (absl::Status s = repetition(rest.substr(1), &n); !s.ok()) return s;
      if (n >= kMaxValues) return absl::InvalidArgumentError("series description: too many values");
      slots = n + 1;
    }
    out->histograms += static_cast<int>(slots);
    return Append(out, std::nullopt, slots);
  }
  size_t i = 0;
  double a;
  bool stale;
  if (!ParseValue(item, &i, &a, &stale)) return bad();
  if (stale) {
    if (i != item.size()) return bad();
    return Append(out, storage::StaleNaN(), 1);
  }
  if (i == item.size()) return Append(out, a, 1);
  double step = 0;
  if (item[i] == '+' || item[i] == '-') {
    if (!ParseValue(item, &i, &step, &stale) || stale) return bad();
  }
  if (i >= item.size() || item[i] != 'x') return bad();
  uint64_t n = 0;
  if (absl::Status s = repetition(item.substr(i + 1), &n); !s.ok()) return s;
  if (n >= kMaxValues) return absl::InvalidArgumentError("series description: too many values");
  if (step == 0) return Append(out, a, n + 1);
  if (out->values.size() + n + 1 > kMaxValues) {
    return absl::InvalidArgumentError("series description: too many values");
  }
  // Like Prometheus, the value is advanced by repeated addition.
  for (uint64_t k = 0; k <= n; ++k) {
    out->values.push_back(a);
    a += step;
  }
  return absl::OkStatus();
}

absl::StatusOr<SeriesDesc> SeriesDescParser::Parse() {
  std::vector<std::pair<std::string, std::string>> pairs;
  absl::StatusOr<int> values_start = ParseMetric(&pairs);
  if (!values_start.ok()) return values_start.status();
  SeriesDesc out;
  std::vector<storage::Label> labels;
  for (const auto& [n, v] : pairs) labels.push_back({n, v});
  out.labels = storage::Labels::FromVector(std::move(labels));

  size_t i = *values_start;
  if (i < line_.size() && !IsSpace(line_[i])) {
    return Error(static_cast<int>(i), absl::StrCat("unexpected character in series sequence: '",
                                                   std::string(1, line_[i]), "'"));
  }
  while (i < line_.size()) {
    while (i < line_.size() && IsSpace(line_[i])) ++i;
    if (i >= line_.size()) break;
    const size_t start = i;
    // An item runs to the next space, except inside {{ }}.
    int hist_depth = 0;
    while (i < line_.size() && (hist_depth > 0 || !IsSpace(line_[i]))) {
      if (line_.substr(i).starts_with("{{")) {
        ++hist_depth;
        i += 2;
      } else if (hist_depth > 0 && line_.substr(i).starts_with("}}")) {
        --hist_depth;
        i += 2;
      } else {
        ++i;
      }
    }
    absl::Status s = ParseItem(static_cast<int>(start), line_.substr(start, i - start), &out);
    if (!s.ok()) return s;
  }
  return out;
}

}  // namespace

absl::StatusOr<SeriesDesc> ParseSeriesDesc(std::string_view line) {
  return SeriesDescParser(line).Parse();
}

}  // namespace promlet::query
