// PromQL parsing: query text to the AST in ast.h, following Prometheus 3.x
// (`promql/parser/lex.go`, `generated_parser.y`, `parse.go`).
//
//   absl::StatusOr<ExprPtr> e = ParseExpr("sum by (job) (rate(x[5m]))");
//   if (!e.ok()) return e.status();  // "1:14: parse error: unexpected \"}\""
//
// Errors are InvalidArgument with Prometheus's text: "<line>:<col>: parse
// error: <message>" (1-based line and column of the offending token). Like
// Prometheus, only the first error is reported. The parser also type-checks
// (function signatures, operand types, vector matching) as Prometheus does
// before it hands out an expression.
#ifndef PROMLET_QUERY_PARSER_PARSER_H_
#define PROMLET_QUERY_PARSER_PARSER_H_

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "query/parser/ast.h"
#include "storage/api/matcher.h"

namespace promlet::query {

// Parses a whole PromQL expression.
absl::StatusOr<ExprPtr> ParseExpr(std::string_view query);

// Parses a series selector such as `up{job="a"}` or `{__name__=~"x.*"}`
// (the `match[]` parameter of the HTTP API). The metric name, when given
// outside the braces, comes last as a __name__ equality matcher. Unlike
// ParseExpr, an all-empty selector such as `{a=""}` is accepted (the HTTP
// layer checks that itself, like Prometheus).
absl::StatusOr<storage::Matchers> ParseMetricSelector(std::string_view selector);

// Prometheus duration syntax (`model.ParseDuration`): `1h30m`, `500ms`,
// `1y2w3d`, and a bare `0`. Units y w d h m s ms, largest first, each once.
// Returns milliseconds. InvalidArgument: "not a valid duration string: ..."
// or "duration out of range".
absl::StatusOr<int64_t> ParseDuration(std::string_view s);

}  // namespace promlet::query

#endif  // PROMLET_QUERY_PARSER_PARSER_H_
