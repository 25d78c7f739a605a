// Internal scanning helpers shared by the 0.0.4 and OpenMetrics parsers:
// character classes, number parsing, UTF-8 validation, unescaping.
#ifndef PROMLET_SCRAPE_TEXTPARSE_LEX_UTIL_H_
#define PROMLET_SCRAPE_TEXTPARSE_LEX_UTIL_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace promlet::scrape::textparse::internal {

enum : uint8_t {
  kMetricStart = 1,  // [a-zA-Z_:]
  kMetricChar = 2,   // [a-zA-Z0-9_:]
  kLabelStart = 4,   // [a-zA-Z_]
  kLabelChar = 8,    // [a-zA-Z0-9_]
  kDigit = 16,       // [0-9]
};

struct CharTable {
  uint8_t c[256];
  constexpr CharTable() : c{} {
    for (int i = 0; i < 256; ++i) {
      uint8_t v = 0;
      bool alpha = (i >= 'a' && i <= 'z') || (i >= 'A' && i <= 'Z') || i == '_';
      bool digit = i >= '0' && i <= '9';
      if (alpha || i == ':') v |= kMetricStart | kMetricChar;
      if (digit) v |= kMetricChar | kLabelChar | kDigit;
      if (alpha) v |= kLabelStart | kLabelChar;
      c[i] = v;
    }
  }
};
inline constexpr CharTable kChars;

inline bool Is(char ch, uint8_t cls) { return (kChars.c[static_cast<uint8_t>(ch)] & cls) != 0; }

inline const char* SkipClass(const char* p, const char* end, uint8_t cls) {
  while (p < end && Is(*p, cls)) ++p;
  return p;
}

inline const char* SkipBlanks(const char* p, const char* end) {
  while (p < end && (*p == ' ' || *p == '\t')) ++p;
  return p;
}

// Go utf8.Valid: rejects overlong forms, surrogates and code points past
// U+10FFFF.
bool ValidUtf8(std::string_view s);

// Number of UTF-8 code points (s assumed valid).
size_t RuneCount(std::string_view s);

// Prometheus parseFloat: Go strconv.ParseFloat, decimal only (no hex, no
// '_'), "NaN"/"Inf"/"Infinity" in any case, sign only before Inf and digits;
// overflow is an error, underflow gives 0 or a subnormal.
bool ParseGoFloat(const char* b, const char* e, double* out);

// Go strconv.ParseInt(s, 10, 64), optionally without sign.
bool ParseInt64(const char* b, const char* e, bool allow_sign, int64_t* out);

// Converts OpenMetrics float seconds to ms like Prometheus's int64(ts*1000),
// clamped to the int64 range instead of Go's unspecified overflow.
int64_t SecondsToMs(double seconds);

// Appends s with `\\`, `\"`, `\n` decoded; any other backslash pair is kept
// as written (Prometheus lvalReplacer). When help_only, `\"` is kept too
// (0.0.4 helpReplacer).
void AppendUnescaped(std::string_view s, bool help_only, std::string* dst);

// Strict check: every backslash starts `\\`, `\"` or `\n` (or, when
// help_only, `\\` or `\n`). Returns the offset of the first bad backslash or
// npos.
size_t FindBadEscape(std::string_view s, bool help_only);

}  // namespace promlet::scrape::textparse::internal

#endif  // PROMLET_SCRAPE_TEXTPARSE_LEX_UTIL_H_
