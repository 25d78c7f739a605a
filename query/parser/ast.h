// The PromQL abstract syntax tree, shared by the parser (which builds it),
// the printer (which turns it back into canonical PromQL) and the engine
// (which evaluates it). Mirrors Prometheus `promql/parser/ast.go`.
//
//   ASSIGN_OR_RETURN(ExprPtr e, ParseExpr("sum by (job) (rate(x[5m]))"));
//   std::visit(overloaded{...}, e->node);
//
// Times are int64 milliseconds; durations are int64 milliseconds.
#ifndef PROMLET_QUERY_PARSER_AST_H_
#define PROMLET_QUERY_PARSER_AST_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "storage/api/matcher.h"

namespace promlet::query {

enum class ValueType { kNone, kScalar, kVector, kMatrix, kString };
// Prometheus DocumentedType: "scalar", "instant vector", "range vector", ...
const char* ValueTypeString(ValueType t);

// Byte offsets [start, end) into the query text.
struct PositionRange {
  int start = 0;
  int end = 0;
};

enum class BinaryOp {
  kAdd, kSub, kMul, kDiv, kMod, kPow, kAtan2,  // arithmetic
  kEql, kNeq, kGtr, kLss, kGte, kLte,          // comparison
  kAnd, kOr, kUnless,                          // set
};
bool IsComparisonOp(BinaryOp op);
bool IsSetOp(BinaryOp op);
const char* BinaryOpString(BinaryOp op);  // "+", "==", "and", "atan2", ...

enum class AggregateOp {
  kSum, kAvg, kCount, kMin, kMax, kGroup, kStddev, kStdvar,
  kTopk, kBottomk, kQuantile, kCountValues, kLimitk, kLimitRatio,
};
const char* AggregateOpString(AggregateOp op);  // "sum", "count_values", ...
// True for ops that take a parameter before the expression (topk, quantile, ...).
bool AggregateOpHasParam(AggregateOp op);

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

// `@ <time>`, `@ start()`, `@ end()`.
struct AtModifier {
  enum class Kind { kNone, kTimestamp, kStart, kEnd };
  Kind kind = Kind::kNone;
  int64_t timestamp_ms = 0;  // for kTimestamp
};

struct NumberLiteral {
  double value = 0;
};

struct StringLiteral {
  std::string value;
};

struct VectorSelector {
  std::string name;           // "" when only matchers were given
  storage::Matchers matchers;  // includes __name__="<name>" when name is set
  int64_t offset_ms = 0;       // may be negative
  AtModifier at;
};

// <vector selector>[<range>]
struct MatrixSelector {
  ExprPtr vector_selector;  // always a VectorSelector
  int64_t range_ms = 0;
};

// <expr>[<range>:<step>]; step_ms 0 means "the default evaluation interval".
struct SubqueryExpr {
  ExprPtr expr;
  int64_t range_ms = 0;
  int64_t step_ms = 0;
  int64_t offset_ms = 0;
  AtModifier at;
};

struct ParenExpr {
  ExprPtr expr;
};

// Unary minus or plus.
struct UnaryExpr {
  char op = '-';
  ExprPtr expr;
};

struct VectorMatching {
  enum class Card { kOneToOne, kManyToOne, kOneToMany, kManyToMany };
  Card card = Card::kOneToOne;
  bool on = false;                        // on(...) vs ignoring(...)
  std::vector<std::string> matching_labels;
  std::vector<std::string> include;       // group_left/group_right labels
};

struct BinaryExpr {
  BinaryOp op = BinaryOp::kAdd;
  ExprPtr lhs;
  ExprPtr rhs;
  bool return_bool = false;
  // Set when both sides are vectors (and for set operators, which are
  // always many-to-many).
  std::optional<VectorMatching> matching;
};

struct AggregateExpr {
  AggregateOp op = AggregateOp::kSum;
  ExprPtr expr;
  ExprPtr param;  // topk/bottomk/quantile/count_values/limitk/limit_ratio
  std::vector<std::string> grouping;
  bool without = false;
};

struct FunctionInfo;  // function_table.h

struct Call {
  const FunctionInfo* func = nullptr;
  std::vector<ExprPtr> args;
};

struct Expr {
  std::variant<NumberLiteral, StringLiteral, VectorSelector, MatrixSelector,
               SubqueryExpr, ParenExpr, UnaryExpr, BinaryExpr, AggregateExpr, Call>
      node;
  PositionRange pos;

  ValueType Type() const;
};

// Deep copy of a tree (matchers share their compiled regexes; function
// pointers refer to the static table). For rewrites such as the engine's
// step-invariance check.
ExprPtr CloneExpr(const Expr& e);

// std::visit helper: std::visit(Overloaded{[](const Call&) {...}, ...}, e.node)
template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace promlet::query

#endif  // PROMLET_QUERY_PARSER_AST_H_
