// The sample-line fast path: one SIMD classification pass over 64-byte
// blocks scans the series part of a line in its common shape,
//
//   metric_name{label="value",label="value",...}   (then ' ' and the value)
//   metric_name ' ' <not blank, not '{'>
//
// with ASCII label values free of escapes and newlines, no blanks between
// tokens, at most `capacity` labels. Anything else (quoted names, blanks,
// escapes, UTF-8, errors, a line within 66 bytes of the end of the body)
// returns nullptr and the caller parses the line with the general code,
// which accepts and rejects exactly as before: the fast path only ever
// accepts lines the general code accepts, with the same result (the fuzz
// target compares both on every input).
#ifndef PROMLET_SCRAPE_TEXTPARSE_FAST_SERIES_H_
#define PROMLET_SCRAPE_TEXTPARSE_FAST_SERIES_H_

#include <cstddef>

#include "scrape/textparse/parser.h"

namespace promlet::scrape::textparse::internal {

// A FastSeriesFn (parser.h) scans the series at `line` (its first byte is
// not blank, '#' or '\n'). On success it returns the byte after the series
// ('}' + 1, or the blank after a bare name), sets *name_end to the end of
// the metric name and writes the labels (no escapes) to out[0..*count).

// The AVX2 variant when this CPU has AVX2 (checked at run time), else SSE2.
FastSeriesFn BestFastSeries();
// Both variants, for tests; FastSeriesAvx2() is null when the CPU lacks AVX2
// or the compiler cannot target it.
FastSeriesFn FastSeriesSse2();
FastSeriesFn FastSeriesAvx2();

}  // namespace promlet::scrape::textparse::internal

#endif  // PROMLET_SCRAPE_TEXTPARSE_FAST_SERIES_H_
