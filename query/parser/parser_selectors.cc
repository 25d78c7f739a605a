// The parts of the recursive-descent parser (parser_impl.h) that read
// selectors and their modifiers: label matchers, grouping label lists,
// ranges and subqueries, `offset` and `@`, and number/duration literals.
#include <cmath>
#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "query/parser/literals.h"
#include "query/parser/parser.h"
#include "query/parser/parser_impl.h"
#include "query/parser/printer.h"

namespace promlet::query::internal {
namespace {

// Tokens that may name a label in grouping lists (grammar rule maybe_label).
bool IsMaybeLabel(TokenType t) {
  switch (t) {
    case TokenType::kIdentifier:
    case TokenType::kMetricIdentifier:
    case TokenType::kAtan2:
    case TokenType::kLand:
    case TokenType::kLor:
    case TokenType::kLunless:
      return true;
    case TokenType::kWithout:  // not in upstream's maybe_label list
      return false;
    default:
      return IsAggregator(t) || IsKeyword(t);
  }
}

// A plain decimal with at most three fraction digits ("1712345678.123") is
// turned into milliseconds with integer arithmetic, so that every timestamp
// the printer writes (an exact "%.3f") reads back to the same value.
// Prometheus multiplies in floating point, which agrees for every timestamp
// below 2^53 ms.
bool ExactMillis(const Token& t, bool negative, int64_t* ms) {
  if (t.type != TokenType::kNumber) return false;
  std::string_view s = t.val;
  const size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? "" : s.substr(dot + 1);
  if (whole.empty() || whole.size() > 16 || frac.size() > 3) return false;
  if (whole.size() > 1 && whole[0] == '0') return false;  // octal in Go
  uint64_t v = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  uint64_t f = 0;
  for (size_t i = 0; i < 3; ++i) {
    const char c = i < frac.size() ? frac[i] : '0';
    if (c < '0' || c > '9') return false;
    f = f * 10 + (c - '0');
  }
  const uint64_t total = v * 1000 + f;  // < 10^19 < 2^64
  const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  if (total > limit) return false;
  *ms = negative ? static_cast<int64_t>(0 - total) : static_cast<int64_t>(total);
  return true;
}

bool IsNumberOrDuration(TokenType t) {
  return t == TokenType::kNumber || t == TokenType::kDuration;
}

}  // namespace

bool Parser::ParseNumberOrDuration(const Token& t, double* seconds) {
  if (t.type == TokenType::kDuration) {
    absl::StatusOr<int64_t> ms = ParseDuration(t.val);
    if (!ms.ok()) {
      Fail(t.pos, std::string(ms.status().message()));
      return false;
    }
    *seconds = static_cast<double>(*ms) / 1000.0;
    return true;
  }
  std::string err;
  if (!ParseGoNumber(t.val, seconds, &err)) {
    Fail(t.pos, absl::StrCat("error parsing number: ", err));
    return false;
  }
  return true;
}

// Go: time.Duration(seconds*1000) * time.Millisecond, with the range check
// newer Prometheus versions make instead of overflowing.
bool Parser::SecondsToMs(const Token& t, double seconds, int64_t* ms) {
  // parse.go durationLiteralOutOfRange: what a Go time.Duration can hold.
  if (!(std::fabs(seconds) <= 9223372036.854775807)) {
    Fail(t.pos, "duration out of range");
    return false;
  }
  *ms = static_cast<int64_t>(seconds * 1000.0);
  return true;
}

bool Parser::ParseDurationMs(const Token& t, int64_t* ms) {
  if (t.type == TokenType::kDuration) {
    // model.ParseDuration works in integer units, so no float rounding here.
    absl::StatusOr<int64_t> exact = ParseDuration(t.val);
    if (!exact.ok()) {
      Fail(t.pos, std::string(exact.status().message()));
      return false;
    }
    *ms = *exact;
    return true;
  }
  double seconds = 0;
  return ParseNumberOrDuration(t, &seconds) && SecondsToMs(t, seconds, ms);
}

ExprPtr Parser::ParseRangeOrSubquery(ExprPtr e) {
  Token lb = Consume();
  if (!IsNumberOrDuration(Peek().type)) {
    Unexpected("subquery selector", "number or duration");
    return nullptr;
  }
  Token range_tok = Consume();
  int64_t range_ms = 0;
  if (!ParseDurationMs(range_tok, &range_ms)) return nullptr;
  if (range_ms <= 0) {
    Fail(range_tok.pos, "duration must be greater than 0");
    return nullptr;
  }
  const int start = e->pos.start;
  if (Peek().type == TokenType::kRightBracket) {
    Token rb = Consume();
    const auto* vs = std::get_if<VectorSelector>(&e->node);
    if (vs == nullptr) {
      Fail(lb.pos, "ranges only allowed for vector selectors");
    } else if (vs->offset_ms != 0) {
      Fail(lb.pos, "no offset modifiers allowed before range");
    } else if (vs->at.kind != AtModifier::Kind::kNone) {
      Fail(lb.pos, "no @ modifiers allowed before range");
    }
    if (failed()) return nullptr;
    ++height_;
    return MakeExpr(MatrixSelector{std::move(e), range_ms}, start, rb.end());
  }
  if (Peek().type != TokenType::kColon) {
    Unexpected("subquery or range", "\":\" or \"]\"");
    return nullptr;
  }
  Consume();
  int64_t step_ms = 0;
  if (IsNumberOrDuration(Peek().type)) {
    Token step_tok = Consume();
    if (!ParseDurationMs(step_tok, &step_ms)) return nullptr;
    if (Peek().type != TokenType::kRightBracket) {
      Unexpected("subquery selector", "\"]\"");
      return nullptr;
    }
  } else if (Peek().type != TokenType::kRightBracket) {
    Unexpected("subquery selector", "number or duration or \"]\"");
    return nullptr;
  }
  Token rb = Consume();
  SubqueryExpr sq;
  sq.expr = std::move(e);
  sq.range_ms = range_ms;
  sq.step_ms = step_ms;
  ++height_;
  return MakeExpr(std::move(sq), start, rb.end());
}

void Parser::ParseOffset(Expr* e) {
  Consume();  // offset
  bool negative = false;
  if (Peek().type == TokenType::kSub) {
    Consume();
    negative = true;
  }
  if (!IsNumberOrDuration(Peek().type)) {
    Unexpected("offset", "number or duration");
    return;
  }
  Token t = Consume();
  int64_t ms = 0;
  if (!ParseDurationMs(t, &ms)) return;
  if (negative) ms = -ms;
  // parse.go addOffset.
  int64_t* target = nullptr;
  if (auto* vs = std::get_if<VectorSelector>(&e->node)) {
    target = &vs->offset_ms;
  } else if (auto* ms_sel = std::get_if<MatrixSelector>(&e->node)) {
    target = &std::get<VectorSelector>(ms_sel->vector_selector->node).offset_ms;
  } else if (auto* sq = std::get_if<SubqueryExpr>(&e->node)) {
    target = &sq->offset_ms;
  } else {
    Fail(e->pos.start,
         "offset modifier must be preceded by an instant vector selector or range vector "
         "selector or a subquery");
    return;
  }
  if (*target != 0) {
    Fail(e->pos.start, "offset may not be set multiple times");
    return;
  }
  *target = ms;
  e->pos.end = last_closing_;
}

void Parser::ParseAt(Expr* e) {
  Consume();  // @
  AtModifier at;
  const TokenType t = Peek().type;
  if (t == TokenType::kStart || t == TokenType::kEnd) {
    Consume();
    if (Peek().type != TokenType::kLeftParen) return Unexpected("@", "timestamp");
    Consume();
    if (Peek().type != TokenType::kRightParen) return Unexpected("@", "timestamp");
    Consume();
    at.kind = t == TokenType::kStart ? AtModifier::Kind::kStart : AtModifier::Kind::kEnd;
  } else {
    double sign = 1;
    if (t == TokenType::kAdd || t == TokenType::kSub) {
      Consume();
      sign = t == TokenType::kSub ? -1 : 1;
    }
    if (!IsNumberOrDuration(Peek().type)) return Unexpected("@", "timestamp");
    Token n = Consume();
    double ts;
    if (!ParseNumberOrDuration(n, &ts)) return;
    ts *= sign;
    // parse.go setTimestamp.
    if (std::isinf(ts) || std::isnan(ts) || ts >= 9223372036854775807.0 ||
        ts <= -9223372036854775808.0) {
      return Fail(e->pos.start, absl::StrFormat("timestamp out of bounds for @ modifier: %s",
                                                std::isnan(ts)   ? "NaN"
                                                : std::isinf(ts) ? (ts > 0 ? "+Inf" : "-Inf")
                                                                 : absl::StrFormat("%f", ts)));
    }
    at.kind = AtModifier::Kind::kTimestamp;
    if (!ExactMillis(n, sign < 0, &at.timestamp_ms)) {
      // timestamp.FromFloatSeconds: int64(math.Round(ts * 1000)), saturating.
      const double ms = std::round(ts * 1000.0);
      at.timestamp_ms = ms >= 9.2e18    ? INT64_MAX
                        : ms <= -9.2e18 ? INT64_MIN
                                        : static_cast<int64_t>(ms);
    }
  }
  AtModifier* target = nullptr;
  if (auto* vs = std::get_if<VectorSelector>(&e->node)) {
    target = &vs->at;
  } else if (auto* m = std::get_if<MatrixSelector>(&e->node)) {
    target = &std::get<VectorSelector>(m->vector_selector->node).at;
  } else if (auto* sq = std::get_if<SubqueryExpr>(&e->node)) {
    target = &sq->at;
  } else {
    return Fail(e->pos.start,
                "@ modifier must be preceded by an instant vector selector or range vector "
                "selector or a subquery");
  }
  if (target->kind != AtModifier::Kind::kNone) {
    return Fail(e->pos.start, "@ <timestamp> may not be set multiple times");
  }
  *target = at;
  e->pos.end = last_closing_;
}

ExprPtr Parser::ParseSelector(std::string_view name, int start) {
  VectorSelector vs;
  vs.name = std::string(name);
  int end = start + static_cast<int>(name.size());
  if (Peek().type == TokenType::kLeftBrace) {
    if (!ParseLabelMatchers(&vs.matchers, &end)) return nullptr;
  }
  // parse.go assembleVectorSelector: the name becomes the last matcher.
  if (!vs.name.empty()) vs.matchers.push_back(storage::Matcher::Equal("__name__", vs.name));
  height_ = 1;
  return MakeExpr(std::move(vs), start, end);
}

bool Parser::ParseLabelMatchers(storage::Matchers* out, int* end) {
  Consume();  // {
  for (;;) {
    if (Peek().type == TokenType::kRightBrace) break;
    if (!ParseLabelMatcher(out)) return false;
    const TokenType t = Peek().type;
    if (t == TokenType::kComma) {
      Consume();
      continue;
    }
    if (t == TokenType::kRightBrace) break;
    Unexpected("label matching", "\",\" or \"}\"");
    return false;
  }
  *end = Consume().end();
  return true;
}

bool Parser::ParseLabelMatcher(storage::Matchers* out) {
  const TokenType t = Peek().type;
  if (t != TokenType::kIdentifier && t != TokenType::kString) {
    Unexpected("label matching", "identifier or \"}\"");
    return false;
  }
  Token name_tok = Consume();
  std::string name(name_tok.val);
  if (t == TokenType::kString && !UnquoteString(name_tok.val, &name)) {
    Fail(name_tok.pos,
         absl::StrCat("error unquoting string ", GoQuote(name_tok.val), ": invalid syntax"));
    return false;
  }
  storage::MatchType type;
  switch (Peek().type) {
    case TokenType::kEql:
      type = storage::MatchType::kEqual;
      break;
    case TokenType::kNeq:
      type = storage::MatchType::kNotEqual;
      break;
    case TokenType::kEqlRegex:
      type = storage::MatchType::kRegexMatch;
      break;
    case TokenType::kNeqRegex:
      type = storage::MatchType::kRegexNoMatch;
      break;
    default:
      if (t == TokenType::kString) {
        // A lone quoted string is the metric name: {"my.metric"}.
        out->push_back(storage::Matcher::Equal("__name__", std::move(name)));
        return true;
      }
      Unexpected("label matching", "label matching operator");
      return false;
  }
  Consume();
  if (Peek().type != TokenType::kString) {
    Unexpected("label matching", "string");
    return false;
  }
  Token value_tok = Consume();
  std::string value;
  if (!UnquoteString(value_tok.val, &value)) {
    Fail(value_tok.pos,
         absl::StrCat("error unquoting string ", GoQuote(value_tok.val), ": invalid syntax"));
    return false;
  }
  absl::StatusOr<storage::Matcher> m =
      storage::Matcher::Make(type, std::move(name), std::move(value));
  if (!m.ok()) {
    Fail(name_tok.pos, std::string(m.status().message()));
    return false;
  }
  out->push_back(*std::move(m));
  return true;
}

bool Parser::ParseGroupingLabels(std::vector<std::string>* out) {
  if (Peek().type != TokenType::kLeftParen) {
    Unexpected("grouping opts", "\"(\"");
    return false;
  }
  Consume();
  out->clear();
  if (Peek().type == TokenType::kRightParen) {
    Consume();
    return true;
  }
  for (;;) {
    const Token& t = Peek();
    if (t.type == TokenType::kString) {
      Token s = Consume();
      std::string label;
      if (!UnquoteString(s.val, &label)) {
        Fail(s.pos, absl::StrCat("error unquoting string ", GoQuote(s.val), ": invalid syntax"));
        return false;
      }
      if (label.empty() || !ValidUtf8(label)) {
        Fail(s.pos, absl::StrCat("invalid label name for grouping: ", GoQuote(label)));
        return false;
      }
      out->push_back(std::move(label));
    } else if (IsMaybeLabel(t.type)) {
      out->push_back(std::string(Consume().val));
    } else {
      Unexpected("grouping opts", "label");
      return false;
    }
    const TokenType next = Peek().type;
    if (next == TokenType::kComma) {
      Consume();
      if (Peek().type == TokenType::kRightParen) {
        Consume();
        return true;
      }
      continue;
    }
    if (next == TokenType::kRightParen) {
      Consume();
      return true;
    }
    Unexpected("grouping opts", "\",\" or \")\"");
    return false;
  }
}

}  // namespace promlet::query::internal
