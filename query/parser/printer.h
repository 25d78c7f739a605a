// Canonical PromQL text of an AST, like Prometheus's `Expr.String()`
// (`promql/parser/printer.go`): `sum by (job) (rate(x[5m]))`,
// `foo{a="b"} @ 10.000 offset 1h30m`. ParseExpr(Print(e)) gives back an
// equal tree (ParenExpr nodes are kept, so precedence survives).
#ifndef PROMLET_QUERY_PARSER_PRINTER_H_
#define PROMLET_QUERY_PARSER_PRINTER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "query/parser/ast.h"

namespace promlet::query {

std::string Print(const Expr& e);

// Prometheus `model.Duration.String()`: 90m -> "1h30m", 0 -> "0s", 1w, 1y,
// 500ms. Negative values get a leading '-'.
std::string FormatDuration(int64_t ms);

// Go `strconv.FormatFloat(v, 'f', -1, 64)`: "1", "0.5", "+Inf", "NaN".
std::string FormatNumber(double v);

// Go `strconv.Quote`: a double-quoted string with Go escapes.
std::string GoQuote(std::string_view s);

}  // namespace promlet::query

#endif  // PROMLET_QUERY_PARSER_PRINTER_H_
