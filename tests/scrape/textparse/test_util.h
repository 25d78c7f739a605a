// Test helper: runs a parser over a whole body and renders every entry as
// one line of text, so table tests compare strings.
#ifndef PROMLET_TESTS_SCRAPE_TEXTPARSE_TEST_UTIL_H_
#define PROMLET_TESTS_SCRAPE_TEXTPARSE_TEST_UTIL_H_

#include <string>
#include <string_view>
#include <vector>

#include "scrape/textparse/parser.h"

namespace promlet::scrape::textparse {

struct ParseResult {
  bool ok = false;
  std::string error;                // status message when !ok
  std::vector<std::string> entries;  // rendered entries up to the error
};

// Entries render as:
//   `name{a="b",c="d"} 1.5 @123 # {x="y"} 0.5 @7` (sample; labels decoded,
//       in written order; "@ts" when present; exemplar when present)
//   `HELP name text`, `TYPE name type`, `UNIT name unit`, `COMMENT line`
ParseResult ParseAll(std::string_view body, Format format, Strictness strictness,
                     ParserOptions base = {});

inline ParseResult Text(std::string_view body) {
  return ParseAll(body, Format::kPrometheusText, Strictness::kScrape);
}
inline ParseResult TextStrict(std::string_view body) {
  return ParseAll(body, Format::kPrometheusText, Strictness::kStrict);
}
inline ParseResult Om(std::string_view body) {
  return ParseAll(body, Format::kOpenMetrics, Strictness::kScrape);
}
inline ParseResult OmStrict(std::string_view body) {
  return ParseAll(body, Format::kOpenMetrics, Strictness::kStrict);
}

std::string Join(const std::vector<std::string>& v);

}  // namespace promlet::scrape::textparse

#endif  // PROMLET_TESTS_SCRAPE_TEXTPARSE_TEST_UTIL_H_
