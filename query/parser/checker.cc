// Type checking after a successful parse: a port of Prometheus
// `parser.checkAST` (promql/parser/parse.go). Errors are collected in the
// same order as upstream; only the first is reported.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "query/parser/function_table.h"
#include "query/parser/parser_impl.h"
#include "query/parser/printer.h"

namespace promlet::query::internal {
namespace {

// Go's ValueType.String() (used by one message instead of DocumentedType).
const char* RawTypeName(ValueType t) {
  switch (t) {
    case ValueType::kNone:
      return "none";
    case ValueType::kScalar:
      return "scalar";
    case ValueType::kVector:
      return "vector";
    case ValueType::kMatrix:
      return "matrix";
    case ValueType::kString:
      return "string";
  }
  return "?";
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

class Checker {
 public:
  explicit Checker(std::string_view query) : query_(query) {}

  ValueType Check(Expr* e);
  std::optional<ParseError> error() { return err_; }

 private:
  void Fail(int pos, std::string msg) {
    if (!err_) err_ = ParseError{pos, std::move(msg)};
  }
  void ExpectType(Expr* e, ValueType want, std::string_view context) {
    const ValueType t = Check(e);
    if (t != want) {
      Fail(e->pos.start, absl::StrCat("expected type ", ValueTypeString(want), " in ",
                                      std::string(context), ", got ", ValueTypeString(t)));
    }
  }
  // Start of the operator between lhs and rhs (parse.go opRange).
  int OpStart(const BinaryExpr& b) const {
    int p = b.lhs->pos.end;
    while (p < static_cast<int>(query_.size()) && IsSpace(query_[p])) ++p;
    return p;
  }

  void CheckBinary(Expr* e, BinaryExpr& b);
  void CheckCall(Expr* e, Call& c);

  std::string_view query_;
  std::optional<ParseError> err_;
};

ValueType Checker::Check(Expr* e) {
  const ValueType type = e->Type();
  std::visit(
      Overloaded{
          [&](AggregateExpr& a) {
            ExpectType(a.expr.get(), ValueType::kVector, "aggregation expression");
            switch (a.op) {
              case AggregateOp::kTopk:
              case AggregateOp::kBottomk:
              case AggregateOp::kQuantile:
              case AggregateOp::kLimitk:
              case AggregateOp::kLimitRatio:
                ExpectType(a.param.get(), ValueType::kScalar, "aggregation parameter");
                break;
              case AggregateOp::kCountValues:
                ExpectType(a.param.get(), ValueType::kString, "aggregation parameter");
                break;
              default:
                break;
            }
          },
          [&](BinaryExpr& b) { CheckBinary(e, b); },
          [&](Call& c) { CheckCall(e, c); },
          [&](ParenExpr& p) { Check(p.expr.get()); },
          [&](UnaryExpr& u) {
            const ValueType t = Check(u.expr.get());
            if (t != ValueType::kScalar && t != ValueType::kVector) {
              Fail(e->pos.start,
                   absl::StrCat("unary expression only allowed on expressions of type scalar or "
                                "instant vector, got \"",
                                ValueTypeString(t), "\""));
            }
          },
          [&](SubqueryExpr& s) {
            const ValueType t = Check(s.expr.get());
            if (t != ValueType::kVector) {
              Fail(e->pos.start, absl::StrCat("subquery is only allowed on instant vector, got ",
                                              RawTypeName(t), " instead"));
            }
          },
          [&](MatrixSelector& m) { Check(m.vector_selector.get()); },
          [&](VectorSelector& vs) {
            if (!vs.name.empty()) {
              // The last matcher is the name given outside the braces.
              for (size_t i = 0; i + 1 < vs.matchers.size(); ++i) {
                if (vs.matchers[i].name() == "__name__") {
                  Fail(e->pos.start,
                       absl::StrCat("metric name must not be set twice: ", GoQuote(vs.name), " or ",
                                    GoQuote(vs.matchers[i].value())));
                }
              }
              return;
            }
            bool non_empty = false;
            for (const storage::Matcher& m : vs.matchers) {
              if (!m.MatchesEmpty()) non_empty = true;
            }
            if (!non_empty) {
              Fail(e->pos.start, "vector selector must contain at least one non-empty matcher");
            }
          },
          [](NumberLiteral&) {},
          [](StringLiteral&) {},
      },
      e->node);
  return type;
}

void Checker::CheckBinary(Expr* e, BinaryExpr& b) {
  const ValueType lt = Check(b.lhs.get());
  const ValueType rt = Check(b.rhs.get());
  if (b.return_bool && !IsComparisonOp(b.op)) {
    Fail(OpStart(b), "bool modifier can only be used on comparison operators");
  }
  if (IsComparisonOp(b.op) && !b.return_bool && b.rhs->Type() == ValueType::kScalar &&
      b.lhs->Type() == ValueType::kScalar) {
    Fail(OpStart(b), "comparisons between scalars must use BOOL modifier");
  }
  VectorMatching* vm = b.matching ? &*b.matching : nullptr;
  if (vm != nullptr && IsSetOp(b.op) && vm->card == VectorMatching::Card::kOneToOne) {
    vm->card = VectorMatching::Card::kManyToMany;
  }
  if (vm != nullptr && vm->on) {
    for (const std::string& l1 : vm->matching_labels) {
      for (const std::string& l2 : vm->include) {
        if (l1 == l2) {
          Fail(OpStart(b), absl::StrCat("label ", GoQuote(l1),
                                        " must not occur in ON and GROUP clause at once"));
        }
      }
    }
  }
  if (lt != ValueType::kScalar && lt != ValueType::kVector) {
    Fail(b.lhs->pos.start, "binary expression must contain only scalar and instant vector types");
  }
  if (rt != ValueType::kScalar && rt != ValueType::kVector) {
    Fail(b.rhs->pos.start, "binary expression must contain only scalar and instant vector types");
  }
  if ((lt != ValueType::kVector || rt != ValueType::kVector) && vm != nullptr) {
    if (!vm->matching_labels.empty()) {
      Fail(e->pos.start, "vector matching only allowed between instant vectors");
    }
    b.matching.reset();
  } else if (IsSetOp(b.op) && vm != nullptr) {
    if (vm->card == VectorMatching::Card::kOneToMany ||
        vm->card == VectorMatching::Card::kManyToOne) {
      Fail(e->pos.start,
           absl::StrCat("no grouping allowed for \"", BinaryOpString(b.op), "\" operation"));
    }
    if (vm->card != VectorMatching::Card::kManyToMany) {
      Fail(e->pos.start, "set operations must always be many-to-many");
    }
  }
  if ((lt == ValueType::kScalar || rt == ValueType::kScalar) && IsSetOp(b.op)) {
    Fail(e->pos.start, absl::StrCat("set operator \"", BinaryOpString(b.op),
                                    "\" not allowed in binary scalar expression"));
  }
}

void Checker::CheckCall(Expr* e, Call& c) {
  const FunctionInfo& f = *c.func;
  const int nargs = static_cast<int>(f.arg_types.size());
  const int got = static_cast<int>(c.args.size());
  const std::string name = GoQuote(f.name);
  if (f.variadic == 0) {
    if (nargs != got) {
      Fail(e->pos.start,
           absl::StrFormat("expected %d argument(s) in call to %s, got %d", nargs, name, got));
    }
  } else {
    const int na = nargs - 1;
    if (na > got) {
      Fail(e->pos.start, absl::StrFormat("expected at least %d argument(s) in call to %s, got %d",
                                         na, name, got));
    } else if (f.variadic > 0 && na + f.variadic < got) {
      Fail(e->pos.start, absl::StrFormat("expected at most %d argument(s) in call to %s, got %d",
                                         na + f.variadic, name, got));
    }
  }
  for (int i = 0; i < got; ++i) {
    int k = i;
    if (k >= nargs) {
      if (f.variadic == 0 || nargs == 0) break;
      k = nargs - 1;
    }
    const ValueType t = Check(c.args[i].get());
    if (t != f.arg_types[k]) {
      Fail(c.args[i]->pos.start,
           absl::StrCat("expected type ", ValueTypeString(f.arg_types[k]), " in call to function ",
                        name, ", got ", ValueTypeString(t)));
    }
  }
}

}  // namespace

std::optional<ParseError> CheckAst(std::string_view query, Expr* e) {
  if (e == nullptr) return std::nullopt;
  Checker c(query);
  c.Check(e);
  return c.error();
}

}  // namespace promlet::query::internal
