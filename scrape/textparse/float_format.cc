// Float formatting and parsing helpers exposed in parser.h.
#include <charconv>
#include <cmath>
#include <cstring>

#include "scrape/textparse/lex_util.h"
#include "scrape/textparse/parser.h"

namespace promlet::scrape::textparse {

// Go strconv.FormatFloat(v, 'g', -1, 64) picks %e when the decimal exponent
// is < -4 or >= 6 (the "shortest" precision rule), and prints at least two
// exponent digits, as C++ to_chars does; the digits are the shortest
// round-trip ones in both.
void AppendOpenMetricsFloat(double v, std::string* dst) {
  if (v == 1) return dst->append("1.0"), void();
  if (v == 0) return dst->append("0.0"), void();
  if (v == -1) return dst->append("-1.0"), void();
  if (std::isnan(v)) return dst->append("NaN"), void();
  if (std::isinf(v)) return dst->append(v > 0 ? "+Inf" : "-Inf"), void();
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  const char* e = static_cast<const char*>(std::memchr(buf, 'e', r.ptr - buf));
  int exp = 0;
  for (const char* q = e + 2; q < r.ptr; ++q) exp = exp * 10 + (*q - '0');
  if (e[1] == '-') exp = -exp;
  if (exp < -4 || exp >= 6) {
    dst->append(buf, r.ptr);
    return;
  }
  r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
  dst->append(buf, r.ptr);
  if (std::memchr(buf, '.', r.ptr - buf) == nullptr) dst->append(".0");
}

bool ParsePromFloat(std::string_view s, double* out) {
  return internal::ParseGoFloat(s.data(), s.data() + s.size(), out);
}

}  // namespace promlet::scrape::textparse
