// Literal helpers shared by the parser, the series-description parser and
// the printer (internal): Go-compatible number parsing and string unquoting,
// and Prometheus's "line:col" error positions.
#ifndef PROMLET_QUERY_PARSER_LITERALS_H_
#define PROMLET_QUERY_PARSER_LITERALS_H_

#include <string>
#include <string_view>

namespace promlet::query::internal {

// Prometheus parser.number(): Go strconv.ParseInt(s, 0, 64) (so 0x1f, 0755,
// 1_000), else strconv.ParseFloat (decimal, exponent, Inf, NaN). On failure
// *err is Go's text, e.g. `strconv.ParseFloat: parsing "1e999": value out of
// range`.
bool ParseGoNumber(std::string_view s, double* out, std::string* err);

// Unquotes a lexed string token ("...", '...' or `...`) with Go escapes.
// The lexer already validated escapes; false only on malformed input.
bool UnquoteString(std::string_view quoted, std::string* out);

// Prometheus PositionRange.StartPosInput: "<line>:<col>", 1-based, columns
// in bytes; "unknown position" for an empty query.
std::string FormatPosition(std::string_view query, int pos);

// True if s is valid UTF-8.
bool ValidUtf8(std::string_view s);

// Legacy label/metric name rules ([a-zA-Z_][a-zA-Z0-9_]*, metric names may
// contain ':'), used to decide when the printer must quote a name.
bool IsLegacyLabelName(std::string_view s);
bool IsLegacyMetricName(std::string_view s);

}  // namespace promlet::query::internal

#endif  // PROMLET_QUERY_PARSER_LITERALS_H_
