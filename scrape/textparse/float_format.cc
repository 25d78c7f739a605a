#include <charconv>

#include "scrape/textparse/parser.h"

namespace promlet::scrape::textparse {

void AppendOpenMetricsFloat(double v, std::string* dst) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  dst->append(buf, r.ptr);
}

bool ParsePromFloat(std::string_view s, double* out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

}  // namespace promlet::scrape::textparse
