// libFuzzer target: no input may crash the parser, and whatever parses must
// print as PromQL that parses again (the printer's round-trip contract).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "query/parser/parser.h"
#include "query/parser/printer.h"
#include "query/parser/series_desc.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto e = promlet::query::ParseExpr(input);
  if (e.ok()) {
    const std::string printed = promlet::query::Print(**e);
    auto again = promlet::query::ParseExpr(printed);
    if (!again.ok()) abort();
    // The printed form is a fixed point: printing the re-parsed tree gives
    // the same text.
    if (promlet::query::Print(**again) != printed) abort();
  }
  (void)promlet::query::ParseMetricSelector(input);
  (void)promlet::query::ParseSeriesDesc(input);
  (void)promlet::query::ParseDuration(input);
  return 0;
}
