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

// Binary operator precedence (generated_parser.y %left/%right order).
int Precedence(TokenType t) {
  switch (t) {
    case TokenType::kLor:
      return 1;
    case TokenType::kLand:
    case TokenType::kLunless:
      return 2;
    case TokenType::kEqlc:
    case TokenType::kNeq:
    case TokenType::kLte:
    case TokenType::kLss:
    case TokenType::kGte:
    case TokenType::kGtr:
      return 3;
    case TokenType::kAdd:
    case TokenType::kSub:
      return 4;
    case TokenType::kMul:
    case TokenType::kDiv:
    case TokenType::kMod:
    case TokenType::kAtan2:
      return 5;
    case TokenType::kPow:
      return 6;
    default:
      return 0;
  }
}

BinaryOp ToBinaryOp(TokenType t) {
  switch (t) {
    case TokenType::kAdd:
      return BinaryOp::kAdd;
    case TokenType::kSub:
      return BinaryOp::kSub;
    case TokenType::kMul:
      return BinaryOp::kMul;
    case TokenType::kDiv:
      return BinaryOp::kDiv;
    case TokenType::kMod:
      return BinaryOp::kMod;
    case TokenType::kPow:
      return BinaryOp::kPow;
    case TokenType::kAtan2:
      return BinaryOp::kAtan2;
    case TokenType::kEqlc:
      return BinaryOp::kEql;
    case TokenType::kNeq:
      return BinaryOp::kNeq;
    case TokenType::kGtr:
      return BinaryOp::kGtr;
    case TokenType::kLss:
      return BinaryOp::kLss;
    case TokenType::kGte:
      return BinaryOp::kGte;
    case TokenType::kLte:
      return BinaryOp::kLte;
    case TokenType::kLand:
      return BinaryOp::kAnd;
    case TokenType::kLor:
      return BinaryOp::kOr;
    default:
      return BinaryOp::kUnless;
  }
}

AggregateOp ToAggregateOp(TokenType t) {
  switch (t) {
    case TokenType::kSum:
      return AggregateOp::kSum;
    case TokenType::kAvg:
      return AggregateOp::kAvg;
    case TokenType::kCount:
      return AggregateOp::kCount;
    case TokenType::kMin:
      return AggregateOp::kMin;
    case TokenType::kMax:
      return AggregateOp::kMax;
    case TokenType::kGroup:
      return AggregateOp::kGroup;
    case TokenType::kStddev:
      return AggregateOp::kStddev;
    case TokenType::kStdvar:
      return AggregateOp::kStdvar;
    case TokenType::kTopk:
      return AggregateOp::kTopk;
    case TokenType::kBottomk:
      return AggregateOp::kBottomk;
    case TokenType::kQuantile:
      return AggregateOp::kQuantile;
    case TokenType::kCountValues:
      return AggregateOp::kCountValues;
    case TokenType::kLimitk:
      return AggregateOp::kLimitk;
    default:
      return AggregateOp::kLimitRatio;
  }
}

// Keywords that may also be metric names (grammar rule metric_identifier).
bool IsMetricIdentifierKeyword(TokenType t) {
  switch (t) {
    case TokenType::kBy:
    case TokenType::kLand:
    case TokenType::kLor:
    case TokenType::kLunless:
    case TokenType::kOffset:
    case TokenType::kWithout:
    case TokenType::kStart:
    case TokenType::kEnd:
      return true;
    default:
      return IsAggregator(t);
  }
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
      case TokenType::kRightBrace:
      case TokenType::kRightParen:
      case TokenType::kRightBracket:
      case TokenType::kDuration:
      case TokenType::kNumber:
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
    lhs = MakeExpr(std::move(b), start, end);
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
  return MakeExpr(UnaryExpr{op.type == TokenType::kSub ? '-' : '+', std::move(e)}, op.pos, end);
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
      return MakeExpr(NumberLiteral{v}, n.pos, n.end());
    }
    case TokenType::kString: {
      Token s = Consume();
      StringLiteral lit;
      if (!UnquoteString(s.val, &lit.value)) {
        Fail(s.pos, absl::StrCat("error unquoting string ", GoQuote(s.val), ": invalid syntax"));
        return nullptr;
      }
      return MakeExpr(std::move(lit), s.pos, s.end());
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
      return MakeExpr(ParenExpr{std::move(inner)}, lp.pos, rp.end());
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
  return MakeExpr(std::move(call), name.pos, end);
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
  return MakeExpr(std::move(agg), op.pos, end);
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
