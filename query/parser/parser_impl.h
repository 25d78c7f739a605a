// The recursive-descent PromQL parser behind parser.h (internal). It mirrors
// the yacc grammar in Prometheus `generated_parser.y` (3.x, without the
// experimental duration expressions and range-selector modifiers), including
// where yacc's error recovery attributes a syntax error: the innermost
// production with an `error` alternative names the context ("in
// aggregation", "in label matching", ...), else it is a bare "unexpected X".
#ifndef PROMLET_QUERY_PARSER_PARSER_IMPL_H_
#define PROMLET_QUERY_PARSER_PARSER_IMPL_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "query/parser/ast.h"
#include "query/parser/lexer.h"

namespace promlet::query::internal {

template <typename T>
ExprPtr MakeExpr(T node, int start, int end) {
  auto e = std::make_unique<Expr>();
  e->node = std::move(node);
  e->pos = PositionRange{start, end};
  return e;
}

struct ParseError {
  int pos = 0;
  std::string message;
};

// "<line>:<col>: parse error: <message>" as InvalidArgument.
absl::Status ToStatus(std::string_view query, const ParseError& e);

// Type checks a parsed tree like Prometheus parser.checkAST, which also
// settles vector matching (dropped unless both sides are instant vectors,
// many-to-many for set operators). Returns the first error.
std::optional<ParseError> CheckAst(std::string_view query, Expr* e);

class Parser {
 public:
  explicit Parser(std::string_view input) : input_(input), lex_(input) {}

  // START_EXPRESSION: a whole expression, not yet type-checked.
  ExprPtr ParseTopExpr();
  // START_METRIC_SELECTOR: one vector selector and nothing else.
  ExprPtr ParseTopSelector();

  const std::optional<ParseError>& error() const { return err_; }

 private:
  const Token& Peek();
  Token Consume();
  bool failed() const { return err_.has_value(); }
  void Fail(int pos, std::string message);
  // "unexpected <lookahead>[ in <context>][, expected <expected>]".
  void Unexpected(std::string_view context, std::string_view expected);
  // A syntax error with no rule of its own: yacc pops to the enclosing
  // aggregation (if any) or to the start rule.
  void UnexpectedHere() { Unexpected(agg_depth_ > 0 ? "aggregation" : "", ""); }

  ExprPtr ParseBinary(int min_prec);
  ExprPtr ParseUnary();
  ExprPtr ParsePrimary();
  ExprPtr ParsePostfix(ExprPtr e);
  ExprPtr ParseRangeOrSubquery(ExprPtr e);
  void ParseOffset(Expr* e);
  void ParseAt(Expr* e);
  ExprPtr ParseSelector(std::string_view name, int start);
  ExprPtr ParseAggregate(const Token& op);
  ExprPtr ParseCall(const Token& name);
  bool ParseCallBody(std::vector<ExprPtr>* args, int* end);
  bool ParseGroupingLabels(std::vector<std::string>* out);
  bool ParseBinaryModifiers(BinaryExpr* b);
  bool ParseLabelMatchers(storage::Matchers* out, int* end);
  bool ParseLabelMatcher(storage::Matchers* out);
  // A number or duration literal as seconds (number_duration_literal).
  bool ParseNumberOrDuration(const Token& t, double* seconds);
  bool SecondsToMs(const Token& t, double seconds, int64_t* ms);
  // A range, step or offset in milliseconds: a duration literal exactly
  // (1001ms stays 1001), a number as float seconds the way Prometheus does.
  bool ParseDurationMs(const Token& t, int64_t* ms);

  std::string_view input_;
  Lexer lex_;
  Token tok_;
  bool has_tok_ = false;
  int last_closing_ = 0;
  int agg_depth_ = 0;
  // Recursion depth of the parser and height of the tree built so far
  // (height_ is that of the node returned last). Both are bounded so that
  // the recursive checker, printer and destructors cannot overflow the
  // stack; Prometheus has no such limit, real queries are far below it.
  int depth_ = 0;
  int height_ = 0;
  std::optional<ParseError> err_;
};

}  // namespace promlet::query::internal

#endif  // PROMLET_QUERY_PARSER_PARSER_IMPL_H_
