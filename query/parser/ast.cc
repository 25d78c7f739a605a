#include "query/parser/ast.h"

#include "query/parser/function_table.h"

namespace promlet::query {

bool IsComparisonOp(BinaryOp op) {
  switch (op) {
    case BinaryOp::kEql:
    case BinaryOp::kNeq:
    case BinaryOp::kGtr:
    case BinaryOp::kLss:
    case BinaryOp::kGte:
    case BinaryOp::kLte:
      return true;
    default:
      return false;
  }
}

bool IsSetOp(BinaryOp op) {
  return op == BinaryOp::kAnd || op == BinaryOp::kOr || op == BinaryOp::kUnless;
}

const char* BinaryOpString(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
      return "+";
    case BinaryOp::kSub:
      return "-";
    case BinaryOp::kMul:
      return "*";
    case BinaryOp::kDiv:
      return "/";
    case BinaryOp::kMod:
      return "%";
    case BinaryOp::kPow:
      return "^";
    case BinaryOp::kAtan2:
      return "atan2";
    case BinaryOp::kEql:
      return "==";
    case BinaryOp::kNeq:
      return "!=";
    case BinaryOp::kGtr:
      return ">";
    case BinaryOp::kLss:
      return "<";
    case BinaryOp::kGte:
      return ">=";
    case BinaryOp::kLte:
      return "<=";
    case BinaryOp::kAnd:
      return "and";
    case BinaryOp::kOr:
      return "or";
    case BinaryOp::kUnless:
      return "unless";
  }
  return "?";
}

const char* AggregateOpString(AggregateOp op) {
  switch (op) {
    case AggregateOp::kSum:
      return "sum";
    case AggregateOp::kAvg:
      return "avg";
    case AggregateOp::kCount:
      return "count";
    case AggregateOp::kMin:
      return "min";
    case AggregateOp::kMax:
      return "max";
    case AggregateOp::kGroup:
      return "group";
    case AggregateOp::kStddev:
      return "stddev";
    case AggregateOp::kStdvar:
      return "stdvar";
    case AggregateOp::kTopk:
      return "topk";
    case AggregateOp::kBottomk:
      return "bottomk";
    case AggregateOp::kQuantile:
      return "quantile";
    case AggregateOp::kCountValues:
      return "count_values";
    case AggregateOp::kLimitk:
      return "limitk";
    case AggregateOp::kLimitRatio:
      return "limit_ratio";
  }
  return "?";
}

bool AggregateOpHasParam(AggregateOp op) {
  switch (op) {
    case AggregateOp::kTopk:
    case AggregateOp::kBottomk:
    case AggregateOp::kQuantile:
    case AggregateOp::kCountValues:
    case AggregateOp::kLimitk:
    case AggregateOp::kLimitRatio:
      return true;
    default:
      return false;
  }
}

const char* ValueTypeString(ValueType t) {
  switch (t) {
    case ValueType::kNone:
      return "none";
    case ValueType::kScalar:
      return "scalar";
    case ValueType::kVector:
      return "instant vector";
    case ValueType::kMatrix:
      return "range vector";
    case ValueType::kString:
      return "string";
  }
  return "?";
}

// Prometheus ast.go Type() methods.
ValueType Expr::Type() const {
  return std::visit(
      Overloaded{
          [](const NumberLiteral&) { return ValueType::kScalar; },
          [](const StringLiteral&) { return ValueType::kString; },
          [](const VectorSelector&) { return ValueType::kVector; },
          [](const MatrixSelector&) { return ValueType::kMatrix; },
          [](const SubqueryExpr&) { return ValueType::kMatrix; },
          [](const ParenExpr& p) { return p.expr ? p.expr->Type() : ValueType::kNone; },
          [](const UnaryExpr& u) { return u.expr ? u.expr->Type() : ValueType::kNone; },
          [](const BinaryExpr& b) {
            if (b.lhs && b.rhs && b.lhs->Type() == ValueType::kScalar &&
                b.rhs->Type() == ValueType::kScalar) {
              return ValueType::kScalar;
            }
            return ValueType::kVector;
          },
          [](const AggregateExpr&) { return ValueType::kVector; },
          [](const Call& c) { return c.func ? c.func->return_type : ValueType::kNone; },
      },
      node);
}

namespace {

ExprPtr CloneOrNull(const ExprPtr& e) { return e ? CloneExpr(*e) : nullptr; }

}  // namespace

ExprPtr CloneExpr(const Expr& e) {
  auto out = std::make_unique<Expr>();
  out->pos = e.pos;
  out->node = std::visit(
      Overloaded{
          [](const NumberLiteral& n) -> decltype(Expr::node) { return n; },
          [](const StringLiteral& s) -> decltype(Expr::node) { return s; },
          [](const VectorSelector& vs) -> decltype(Expr::node) { return vs; },
          [](const MatrixSelector& m) -> decltype(Expr::node) {
            return MatrixSelector{CloneOrNull(m.vector_selector), m.range_ms};
          },
          [](const SubqueryExpr& s) -> decltype(Expr::node) {
            return SubqueryExpr{CloneOrNull(s.expr), s.range_ms, s.step_ms, s.offset_ms, s.at};
          },
          [](const ParenExpr& p) -> decltype(Expr::node) { return ParenExpr{CloneOrNull(p.expr)}; },
          [](const UnaryExpr& u) -> decltype(Expr::node) {
            return UnaryExpr{u.op, CloneOrNull(u.expr)};
          },
          [](const BinaryExpr& b) -> decltype(Expr::node) {
            BinaryExpr c;
            c.op = b.op;
            c.lhs = CloneOrNull(b.lhs);
            c.rhs = CloneOrNull(b.rhs);
            c.return_bool = b.return_bool;
            c.matching = b.matching;
            return c;
          },
          [](const AggregateExpr& a) -> decltype(Expr::node) {
            AggregateExpr c;
            c.op = a.op;
            c.expr = CloneOrNull(a.expr);
            c.param = CloneOrNull(a.param);
            c.grouping = a.grouping;
            c.without = a.without;
            return c;
          },
          [](const Call& call) -> decltype(Expr::node) {
            Call c;
            c.func = call.func;
            for (const ExprPtr& arg : call.args) c.args.push_back(CloneOrNull(arg));
            return c;
          },
      },
      e.node);
  return out;
}

}  // namespace promlet::query
