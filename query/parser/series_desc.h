// Series descriptions of the promqltest `.test` format (the `load` block
// lines and expected results; see ../shared/conformance/promql/FORMAT.md §3):
//
//   ASSIGN_OR_RETURN(SeriesDesc d, ParseSeriesDesc(R"(up{job="a"} 1+2x3 _ stale)"));
//   // d.labels = {__name__="up", job="a"}
//   // d.values = 1, 3, 5, 7, nullopt, StaleNaN()
//
// Value items: <num>, `_`, `_xN` (N gaps), `stale`, `<num>xN` (N+1 values),
// `<a>+<b>xN` / `<a>-<b>xN` (N+1 values), `Inf`/`NaN` with optional sign,
// and native histograms `{{...}}` (optionally `xN` / `{{A}}+{{B}}xN`), which
// are parsed but not kept: they take their time slots as gaps and are
// counted in `histograms`. A description may have no values at all (`{}`).
#ifndef PROMLET_QUERY_PARSER_SERIES_DESC_H_
#define PROMLET_QUERY_PARSER_SERIES_DESC_H_

#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/api/labels.h"

namespace promlet::query {

struct SeriesDesc {
  storage::Labels labels;
  // One entry per time slot. nullopt: omitted (`_`) or a native histogram;
  // a staleness marker is storage::StaleNaN() (test with storage::IsStaleNaN).
  std::vector<std::optional<double>> values;
  // Number of slots that held a native histogram (dropped, nullopt above).
  int histograms = 0;
};

// InvalidArgument with a positioned message ("1:12: parse error: ...").
absl::StatusOr<SeriesDesc> ParseSeriesDesc(std::string_view line);

}  // namespace promlet::query

#endif  // PROMLET_QUERY_PARSER_SERIES_DESC_H_
