#include "query/parser/parser.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/strings.h"
#include "query/parser/function_table.h"
#include "query/parser/literals.h"
#include "query/parser/parser_impl.h"
#include "query/parser/printer.h"

namespace promlet::query {
namespace internal {
namespace {

constexpr int kMaxDepth = 500;
constexpr int kMaxHeight = 2000;

template <typename T>
ExprPtr Make(T node, int start, int end) {
  auto e = std::make_unique<Expr>();
  e->node = std::move(node);
  e->pos = PositionRange{start, end};
  return e;
}

// Binary operator precedence (generated_parser.y %left/%right order).
int Precedence(TokenType t) {
  switch (t) {
    case TokenType::kLor: return 1;
    case TokenType::kLand: case TokenType::kLunless: return 2;
    case TokenType::kEqlc: case TokenType::kNeq: case TokenType::kLte:
    case TokenType::kLss: case TokenType::kGte: case TokenType::kGtr: return 3;
    case TokenType::kAdd: case TokenType::kSub: return 4;
    case TokenType::kMul: case TokenType::kDiv: case TokenType::kMod: case TokenType::kAtan2: return 5;
    case TokenType::kPow: return 6;
    default: return 0;
  }
}

BinaryOp ToBinaryOp(TokenType t) {
  switch (t) {
    case TokenType::kAdd: return BinaryOp::kAdd;
    case TokenType::kSub: return BinaryOp::kSub;
    case TokenType::kMul: return BinaryOp::kMul;
    case TokenType::kDiv: return BinaryOp::kDiv;
    case TokenType::kMod: return BinaryOp::kMod;
    case TokenType::kPow: return BinaryOp::kPow;
    case TokenType::kAtan2: return BinaryOp::kAtan2;
    case TokenType::kEqlc: return BinaryOp::kEql;
    case TokenType::kNeq: return BinaryOp::kNeq;
    case TokenType::kGtr: return BinaryOp::kGtr;
    case TokenType::kLss: return BinaryOp::kLss;
    case TokenType::kGte: return BinaryOp::kGte;
    case TokenType::kLte: return BinaryOp::kLte;
    case TokenType::kLand: return BinaryOp::kAnd;
    case TokenType::kLor: return BinaryOp::kOr;
    default: return BinaryOp::kUnless;
  }
}

AggregateOp ToAggregateOp(TokenType t) {
  switch (t) {
    case TokenType::kSum: return AggregateOp::kSum;
    case TokenType::kAvg: return AggregateOp::kAvg;
    case TokenType::kCount: return AggregateOp::kCount;
    case TokenType::kMin: return AggregateOp::kMin;
    case TokenType::kMax: return AggregateOp::kMax;
    case TokenType::kGroup: return AggregateOp::kGroup;
    case TokenType::kStddev: return AggregateOp::kStddev;
    case TokenType::kStdvar: return AggregateOp::kStdvar;
    case TokenType::kTopk: return AggregateOp::kTopk;
    case TokenType::kBottomk: return AggregateOp::kBottomk;
    case TokenType::kQuantile: return AggregateOp::kQuantile;
    case TokenType::kCountValues: return AggregateOp::kCountValues;
    case TokenType::kLimitk: return AggregateOp::kLimitk;
    default: return AggregateOp::kLimitRatio;
  }
}

// Keywords that may also be metric names (grammar rule metric_identifier).
bool IsMetricIdentifierKeyword(TokenType t) {
  switch (t) {
    case TokenType::kBy: case TokenType::kLand: case TokenType::kLor: case TokenType::kLunless:
    case TokenType::kOffset: case TokenType::kWithout: case TokenType::kStart: case TokenType::kEnd:
      return true;
    default:
      return IsAggregator(t);
  }
}

// Tokens that may name a label in grouping lists (grammar rule maybe_label).
bool IsMaybeLabel(TokenType t) {
  switch (t) {
    case TokenType::kIdentifier: case TokenType::kMetricIdentifier: case TokenType::kAtan2:
    case TokenType::kLand: case TokenType::kLor: case TokenType::kLunless:
      return true;
    default:
      return IsAggregator(t) || IsKeyword(t);
  }
}

// A plain decimal with at most three fraction digits ("1712345678.123") is
// turned into milliseconds with integer arithmetic, so that any timestamp
// the printer writes reads back to the same value. Prometheus multiplies in
// floating point, which agrees for every timestamp below 2^53 ms.
bool ExactMillis(const Token& t, bool negative, int64_t* ms) {
  if (t.type != TokenType::kNumber) return false;
  std::string_view s = t.val;
  const size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? "" : s.substr(dot + 1);
  if (whole.empty() || whole.size() > 15 || frac.size() > 3) return false;
  if (whole.size() > 1 && whole[0] == '0') return false;  // octal in Go
  int64_t v = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  int64_t f = 0;
  for (size_t i = 0; i < 3; ++i) {
    const char c = i < frac.size() ? frac[i] : '0';
    if (c < '0' || c > '9') return false;
    f = f * 10 + (c - '0');
  }
  *ms = (v * 1000 + f) * (negative ? -1 : 1);
  return true;
}

bool IsNumberOrDuration(TokenType t) {
  return t == TokenType::kNumber || t == TokenType::kDuration;
}

}  // namespace

absl::Status ToStatus(std::string_view query, const ParseError& e) {
  return absl::InvalidArgumentError(
      absl::StrCat(FormatPosition(query, e.pos), ": parse error: ", e.message));
}

const Token& Parser::Peek() {
  if (!has_tok_) {
    do {
      tok_ = lex_.Next();
    } while (tok_.type == TokenType::kComment);
    has_tok_ = true;
    switch (tok_.type) {
      case TokenType::kError:
        Fail(tok_.pos, tok_.message);
        break;
      case TokenType::kRightBrace: case TokenType::kRightParen: case TokenType::kRightBracket:
      case TokenType::kDuration: case TokenType::kNumber:
        last_closing_ = tok_.end();
        break;
      default:
        break;
    }
  }
  return tok_;
}

Token Parser::Consume() {
  Peek();
  has_tok_ = false;
  return tok_;
}

void Parser::Fail(int pos, std::string message) {
  if (!err_) err_ = ParseError{pos, std::move(message)};
}

void Parser::Unexpected(std::string_view context, std::string_view expected) {
  const Token& t = Peek();
  if (t.type == TokenType::kError) return;  // the lexer error is reported already
  std::string msg = absl::StrCat("unexpected ", t.Desc());
  if (!context.empty()) absl::StrAppend(&msg, " in ", base::Absl(context));
  if (!expected.empty()) absl::StrAppend(&msg, ", expected ", base::Absl(expected));
  Fail(t.pos, std::move(msg));
}

ExprPtr Parser::ParseTopExpr() {
  if (Peek().type == TokenType::kEOF) {
    Fail(0, "no expression found in input");
    return nullptr;
  }
  ExprPtr e = ParseBinary(1);
  if (failed()) return nullptr;
  if (Peek().type != TokenType::kEOF) {
    UnexpectedHere();
    return nullptr;
  }
  return e;
}

ExprPtr Parser::ParseTopSelector() {
  const Token& t = Peek();
  ExprPtr e;
  if (t.type == TokenType::kLeftBrace) {
    e = ParseSelector("", t.pos);
  } else if (t.type == TokenType::kIdentifier || t.type == TokenType::kMetricIdentifier ||
             IsMetricIdentifierKeyword(t.type)) {
    Token name = Consume();
    e = ParseSelector(name.val, name.pos);
  } else {
    UnexpectedHere();
    return nullptr;
  }
  if (failed()) return nullptr;
  if (Peek().type != TokenType::kEOF) {
    UnexpectedHere();
    return nullptr;
  }
  return e;
}

ExprPtr Parser::ParseBinary(int min_prec) {
  ExprPtr lhs = ParseUnary();
  if (failed()) return nullptr;
  for (;;) {
    const TokenType type = Peek().type;
    const int prec = Precedence(type);
    if (prec == 0 || prec < min_prec) return lhs;
    const int lhs_height = height_;
    Consume();
    BinaryExpr b;
    b.op = ToBinaryOp(type);
    if (!ParseBinaryModifiers(&b)) return nullptr;
    if (++depth_ > kMaxDepth) {
      Fail(Peek().pos, "query is nested too deeply");
      return nullptr;
    }
    // '^' is right-associative, everything else left-associative.
    ExprPtr rhs = ParseBinary(type == TokenType::kPow ? prec : prec + 1);
    --depth_;
    if (failed()) return nullptr;
    const int start = lhs->pos.start;
    const int end = rhs->pos.end;
    b.lhs = std::move(lhs);
    b.rhs = std::move(rhs);
    lhs = Make(std::move(b), start, end);
    height_ = 1 + std::max(lhs_height, height_);
    if (height_ > kMaxHeight) {
      Fail(start, "query is nested too deeply");
      return nullptr;
    }
  }
}

bool Parser::ParseBinaryModifiers(BinaryExpr* b) {
  VectorMatching vm;
  if (Peek().type == TokenType::kBool) {
    Consume();
    b->return_bool = true;
  }
  const TokenType t = Peek().type;
  if (t == TokenType::kOn || t == TokenType::kIgnoring) {
    Consume();
    vm.on = t == TokenType::kOn;
    if (!ParseGroupingLabels(&vm.matching_labels)) return false;
    const TokenType g = Peek().type;
    if (g == TokenType::kGroupLeft || g == TokenType::kGroupRight) {
      Consume();
      vm.card = g == TokenType::kGroupLeft ? VectorMatching::Card::kManyToOne
                                           : VectorMatching::Card::kOneToMany;
      if (Peek().type == TokenType::kLeftParen && !ParseGroupingLabels(&vm.include)) return false;
    }
  }
  b->matching = std::move(vm);
  return !failed();
}

ExprPtr Parser::ParseUnary() {
  const Token& t = Peek();
  if (t.type != TokenType::kAdd && t.type != TokenType::kSub) {
    ExprPtr e = ParsePrimary();
    if (failed()) return nullptr;
    return ParsePostfix(std::move(e));
  }
  if (++depth_ > kMaxDepth) {
    Fail(t.pos, "query is nested too deeply");
    return nullptr;
  }
  Token op = Consume();
  // unary_op expr %prec MUL: only '^' binds tighter than a unary sign.
  ExprPtr e = ParseBinary(Precedence(TokenType::kPow));
  --depth_;
  if (failed()) return nullptr;
  if (auto* n = std::get_if<NumberLiteral>(&e->node)) {
    if (op.type == TokenType::kSub) n->value = -n->value;
    e->pos.start = op.pos;
    return e;
  }
  const int end = e->pos.end;
  ++height_;
  return Make(UnaryExpr{op.type == TokenType::kSub ? '-' : '+', std::move(e)}, op.pos, end);
}

ExprPtr Parser::ParsePrimary() {
  const Token& t = Peek();
  height_ = 1;
  switch (t.type) {
    case TokenType::kNumber:
    case TokenType::kDuration: {
      Token n = Consume();
      double v;
      if (!ParseNumberOrDuration(n, &v)) return nullptr;
      return Make(NumberLiteral{v}, n.pos, n.end());
    }
    case TokenType::kString: {
      Token s = Consume();
      StringLiteral lit;
      if (!UnquoteString(s.val, &lit.value)) {
        Fail(s.pos, absl::StrCat("error unquoting string ", GoQuote(s.val), ": invalid syntax"));
        return nullptr;
      }
      return Make(std::move(lit), s.pos, s.end());
    }
    case TokenType::kLeftParen: {
      if (++depth_ > kMaxDepth) {
        Fail(t.pos, "query is nested too deeply");
        return nullptr;
      }
      Token lp = Consume();
      ExprPtr inner = ParseBinary(1);
      --depth_;
      if (failed()) return nullptr;
      if (Peek().type != TokenType::kRightParen) {
        UnexpectedHere();
        return nullptr;
      }
      Token rp = Consume();
      ++height_;
      return Make(ParenExpr{std::move(inner)}, lp.pos, rp.end());
    }
    case TokenType::kLeftBrace:
      return ParseSelector("", t.pos);
    case TokenType::kIdentifier: {
      Token name = Consume();
      if (Peek().type == TokenType::kLeftParen) return ParseCall(name);
      return ParseSelector(name.val, name.pos);
    }
    case TokenType::kMetricIdentifier: {
      Token name = Consume();
      return ParseSelector(name.val, name.pos);
    }
    default:
      break;
  }
  if (IsAggregator(t.type)) {
    Token op = Consume();
    const TokenType next = Peek().type;
    if (next == TokenType::kLeftParen || next == TokenType::kBy || next == TokenType::kWithout) {
      return ParseAggregate(op);
    }
    if (failed()) return nullptr;
    return ParseSelector(op.val, op.pos);
  }
  if (IsMetricIdentifierKeyword(t.type)) {
    Token name = Consume();
    return ParseSelector(name.val, name.pos);
  }
  UnexpectedHere();
  return nullptr;
}

ExprPtr Parser::ParsePostfix(ExprPtr e) {
  for (;;) {
    switch (Peek().type) {
      case TokenType::kLeftBracket:
        e = ParseRangeOrSubquery(std::move(e));
        break;
      case TokenType::kOffset:
        ParseOffset(e.get());
        break;
      case TokenType::kAt:
        ParseAt(e.get());
        break;
      default:
        return e;
    }
    if (failed()) return nullptr;
  }
}

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

ExprPtr Parser::ParseRangeOrSubquery(ExprPtr e) {
  Token lb = Consume();
  if (!IsNumberOrDuration(Peek().type)) {
    Unexpected("subquery selector", "number or duration");
    return nullptr;
  }
  Token range_tok = Consume();
  double range_s = 0;
  int64_t range_ms = 0;
  if (!ParseNumberOrDuration(range_tok, &range_s) || !SecondsToMs(range_tok, range_s, &range_ms)) {
    return nullptr;
  }
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
    return Make(MatrixSelector{std::move(e), range_ms}, start, rb.end());
  }
  if (Peek().type != TokenType::kColon) {
    Unexpected("subquery or range", "\":\" or \"]\"");
    return nullptr;
  }
  Consume();
  int64_t step_ms = 0;
  if (IsNumberOrDuration(Peek().type)) {
    Token step_tok = Consume();
    double step_s = 0;
    if (!ParseNumberOrDuration(step_tok, &step_s) || !SecondsToMs(step_tok, step_s, &step_ms)) {
      return nullptr;
    }
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
  return Make(std::move(sq), start, rb.end());
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
  double seconds = 0;
  int64_t ms = 0;
  if (!ParseNumberOrDuration(t, &seconds) || !SecondsToMs(t, seconds, &ms)) return;
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
      at.timestamp_ms =
          ms >= 9.2e18 ? INT64_MAX : ms <= -9.2e18 ? INT64_MIN : static_cast<int64_t>(ms);
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
  return Make(std::move(vs), start, end);
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
    Fail(name_tok.pos, absl::StrCat("error unquoting string ", GoQuote(name_tok.val), ": invalid syntax"));
    return false;
  }
  storage::MatchType type;
  switch (Peek().type) {
    case TokenType::kEql: type = storage::MatchType::kEqual; break;
    case TokenType::kNeq: type = storage::MatchType::kNotEqual; break;
    case TokenType::kEqlRegex: type = storage::MatchType::kRegexMatch; break;
    case TokenType::kNeqRegex: type = storage::MatchType::kRegexNoMatch; break;
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
    Fail(value_tok.pos, absl::StrCat("error unquoting string ", GoQuote(value_tok.val), ": invalid syntax"));
    return false;
  }
  absl::StatusOr<storage::Matcher> m = storage::Matcher::Make(type, std::move(name), std::move(value));
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

bool Parser::ParseCallBody(std::vector<ExprPtr>* args, int* end) {
  if (++depth_ > kMaxDepth) {
    Fail(Peek().pos, "query is nested too deeply");
    return false;
  }
  Consume();  // (
  int max_height = 0;
  if (Peek().type != TokenType::kRightParen) {
    for (;;) {
      ExprPtr arg = ParseBinary(1);
      if (failed()) return false;
      max_height = std::max(max_height, height_);
      args->push_back(std::move(arg));
      const TokenType t = Peek().type;
      if (t == TokenType::kComma) {
        Token comma = Consume();
        if (Peek().type == TokenType::kRightParen) {
          Fail(comma.pos, "trailing commas not allowed in function call args");
          return false;
        }
        continue;
      }
      if (t == TokenType::kRightParen) break;
      UnexpectedHere();
      return false;
    }
  }
  *end = Consume().end();
  --depth_;
  height_ = max_height + 1;
  return !failed();
}

ExprPtr Parser::ParseCall(const Token& name) {
  Call call;
  int end;
  if (!ParseCallBody(&call.args, &end)) return nullptr;
  call.func = LookupFunction(name.val);
  if (call.func == nullptr) {
    Fail(name.pos, absl::StrCat("unknown function with name ", GoQuote(name.val)));
    return nullptr;
  }
  return Make(std::move(call), name.pos, end);
}

ExprPtr Parser::ParseAggregate(const Token& op) {
  ++agg_depth_;
  AggregateExpr agg;
  agg.op = ToAggregateOp(op.type);
  std::vector<ExprPtr> args;
  int end = 0;
  auto parse_modifier = [&] {
    agg.without = Consume().type == TokenType::kWithout;
    return ParseGroupingLabels(&agg.grouping);
  };
  bool ok;
  if (Peek().type == TokenType::kLeftParen) {
    ok = ParseCallBody(&args, &end);
    const TokenType t = Peek().type;
    if (ok && (t == TokenType::kBy || t == TokenType::kWithout)) {
      const int h = height_;
      ok = parse_modifier();
      height_ = h;
      end = last_closing_;
    }
  } else {
    ok = parse_modifier();
    if (ok && Peek().type != TokenType::kLeftParen) {
      UnexpectedHere();
      ok = false;
    }
    ok = ok && ParseCallBody(&args, &end);
  }
  --agg_depth_;
  if (!ok || failed()) return nullptr;
  // parse.go newAggregateExpr.
  if (args.empty()) {
    Fail(op.pos, "no arguments for aggregate expression provided");
    return nullptr;
  }
  const size_t want = AggregateOpHasParam(agg.op) ? 2 : 1;
  if (args.size() != want) {
    Fail(op.pos, absl::StrFormat("wrong number of arguments for aggregate expression provided, "
                                 "expected %d, got %d",
                                 want, args.size()));
    return nullptr;
  }
  if (want == 2) agg.param = std::move(args[0]);
  agg.expr = std::move(args[want - 1]);
  return Make(std::move(agg), op.pos, end);
}

}  // namespace internal

absl::StatusOr<ExprPtr> ParseExpr(std::string_view query) {
  internal::Parser p(query);
  ExprPtr e = p.ParseTopExpr();
  if (p.error()) return internal::ToStatus(query, *p.error());
  if (auto err = internal::CheckAst(query, e.get())) return internal::ToStatus(query, *err);
  return e;
}

absl::StatusOr<storage::Matchers> ParseMetricSelector(std::string_view selector) {
  internal::Parser p(selector);
  ExprPtr e = p.ParseTopSelector();
  if (p.error()) return internal::ToStatus(selector, *p.error());
  return std::move(std::get<VectorSelector>(e->node).matchers);
}

}  // namespace promlet::query
