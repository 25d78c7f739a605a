// Values produced by PromQL evaluation (Prometheus `promql/value.go`):
// scalars, strings, instant vectors and range vectors (matrices). Float
// samples only; native histograms are out of scope.
//
//   QueryResult r = ...;
//   if (r.type == ValueType::kVector) for (const VectorElem& e : r.vector) ...
#ifndef PROMLET_QUERY_ENGINE_VALUE_H_
#define PROMLET_QUERY_ENGINE_VALUE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "query/parser/ast.h"
#include "storage/api/labels.h"
#include "storage/api/querier.h"

namespace promlet::query {

// A point of a series: storage::Sample {t_ms, value}.
using Point = storage::Sample;

// One series of a range vector (or, inside the engine, of any value
// evaluated over the steps of a query).
struct Series {
  storage::Labels metric;
  std::vector<Point> points;
  // Delayed __name__ removal (Prometheus EnableDelayedNameRemoval): set by
  // operations that drop the name; the name goes at the end of evaluation.
  bool drop_name = false;
};
using Matrix = std::vector<Series>;

// One element of an instant vector.
struct VectorElem {
  storage::Labels metric;
  double value = 0;
  int64_t t_ms = 0;
};

// The result of a query. `type` says which member is meaningful:
//   kVector: vector (in evaluation order, like Prometheus)
//   kMatrix: matrix (sorted by labels for range queries)
//   kScalar: scalar, t_ms
//   kString: string, t_ms
struct QueryResult {
  ValueType type = ValueType::kNone;
  std::vector<VectorElem> vector;
  Matrix matrix;
  double scalar = 0;
  std::string string;
  int64_t t_ms = 0;
  // Prometheus annotations (warnings and infos), as plain strings.
  std::vector<std::string> warnings;
  std::vector<std::string> infos;
};

// Go's strconv.FormatFloat(v, 'f', -1, 64), as Prometheus writes sample
// values: "1.5", "100", "0.0001", "NaN", "+Inf", "-Inf".
std::string FormatFloat(double v);
// The same text written into buf, which has room for kFormatFloatMax
// bytes; returns the end (no allocation, for the per-sample JSON path).
inline constexpr size_t kFormatFloatMax = 400;
char* FormatFloatTo(double v, char* buf);

}  // namespace promlet::query

#endif  // PROMLET_QUERY_ENGINE_VALUE_H_
