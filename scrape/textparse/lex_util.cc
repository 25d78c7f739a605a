#include "scrape/textparse/lex_util.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace promlet::scrape::textparse::internal {
namespace {

bool AllAscii(const char* p, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    if (w & 0x8080808080808080ull) return false;
  }
  for (; i < n; ++i) {
    if (static_cast<uint8_t>(p[i]) & 0x80) return false;
  }
  return true;
}

bool EqualFoldAscii(const char* b, const char* e, std::string_view lower) {
  if (static_cast<size_t>(e - b) != lower.size()) return false;
  for (size_t i = 0; i < lower.size(); ++i) {
    char c = b[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

}  // namespace

bool ValidUtf8(std::string_view s) {
  const char* p = s.data();
  size_t n = s.size();
  if (AllAscii(p, n)) return true;
  size_t i = 0;
  while (i < n) {
    uint8_t c = static_cast<uint8_t>(p[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    auto cont = [&](size_t k) { return i + k < n && (static_cast<uint8_t>(p[i + k]) & 0xC0) == 0x80; };
    if (c >= 0xC2 && c <= 0xDF) {
      if (!cont(1)) return false;
      i += 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      if (!cont(1) || !cont(2)) return false;
      uint8_t c1 = static_cast<uint8_t>(p[i + 1]);
      if (c == 0xE0 && c1 < 0xA0) return false;   // overlong
      if (c == 0xED && c1 > 0x9F) return false;   // surrogate
      i += 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      if (!cont(1) || !cont(2) || !cont(3)) return false;
      uint8_t c1 = static_cast<uint8_t>(p[i + 1]);
      if (c == 0xF0 && c1 < 0x90) return false;   // overlong
      if (c == 0xF4 && c1 > 0x8F) return false;   // > U+10FFFF
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

size_t RuneCount(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<uint8_t>(c) & 0xC0) != 0x80;
  return n;
}

bool ParseGoFloat(const char* b, const char* e, double* out) {
  if (b >= e) return false;
  const char* p = b;
  bool neg = false;
  if (*p == '+' || *p == '-') {
    neg = *p == '-';
    ++p;
    if (p == e) return false;
  }
  // Fast path: [0-9]+(\.[0-9]*)? with at most 15 significant digits (exact
  // in a double; one correctly rounded division, Clinger's fast path).
  {
    const char* q = p;
    uint64_t m = 0;
    int digits = 0;
    while (q < e && static_cast<unsigned>(*q - '0') < 10) {
      m = m * 10 + static_cast<unsigned>(*q - '0');
      ++digits;
      ++q;
    }
    int frac = 0;
    if (q < e && *q == '.' && digits > 0) {
      ++q;
      while (q < e && static_cast<unsigned>(*q - '0') < 10) {
        m = m * 10 + static_cast<unsigned>(*q - '0');
        ++digits;
        ++frac;
        ++q;
      }
    }
    if (q == e && digits > 0 && digits <= 15) {
      double v = static_cast<double>(m);
      if (frac) v /= kPow10[frac];
      *out = neg ? -v : v;
      return true;
    }
  }
  char c = *p;
  if ((c < '0' || c > '9') && c != '.') {
    if (EqualFoldAscii(p, e, "inf") || EqualFoldAscii(p, e, "infinity")) {
      *out = neg ? -std::numeric_limits<double>::infinity()
                 : std::numeric_limits<double>::infinity();
      return true;
    }
    if (p == b && EqualFoldAscii(p, e, "nan")) {
      *out = std::numeric_limits<double>::quiet_NaN();
      return true;
    }
    return false;
  }
  double v;
  auto r = std::from_chars(p, e, v, std::chars_format::general);
  if (r.ptr != e) return false;
  if (r.ec == std::errc::result_out_of_range) {
    // Overflow is an error (Go ErrRange); underflow is fine.
    char buf[128];
    std::string heap;
    const char* z;
    size_t n = static_cast<size_t>(e - p);
    if (n < sizeof(buf)) {
      std::memcpy(buf, p, n);
      buf[n] = 0;
      z = buf;
    } else {
      heap.assign(p, n);
      z = heap.c_str();
    }
    v = std::strtod(z, nullptr);
    if (std::isinf(v)) return false;
  } else if (r.ec != std::errc()) {
    return false;
  }
  *out = neg ? -v : v;
  return true;
}

bool ParseInt64(const char* b, const char* e, bool allow_sign, int64_t* out) {
  const char* p = b;
  bool neg = false;
  if (allow_sign && p < e && (*p == '+' || *p == '-')) {
    neg = *p == '-';
    ++p;
  }
  if (p == e) return false;
  uint64_t v = 0;
  const uint64_t limit = neg ? (uint64_t{1} << 63) : (uint64_t{1} << 63) - 1;
  for (; p < e; ++p) {
    unsigned d = static_cast<unsigned>(*p - '0');
    if (d > 9) return false;
    if (v > (limit - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = neg ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  return true;
}

void AppendUnescaped(std::string_view s, bool help_only, std::string* dst) {
  size_t i = 0;
  while (i < s.size()) {
    size_t j = s.find('\\', i);
    if (j == std::string_view::npos || j + 1 >= s.size()) {
      dst->append(s.data() + i, s.size() - i);
      return;
    }
    dst->append(s.data() + i, j - i);
    char c = s[j + 1];
    if (c == '\\') {
      dst->push_back('\\');
      i = j + 2;
    } else if (c == 'n') {
      dst->push_back('\n');
      i = j + 2;
    } else if (c == '"' && !help_only) {
      dst->push_back('"');
      i = j + 2;
    } else {
      dst->push_back('\\');
      i = j + 1;
    }
  }
}

size_t FindBadEscape(std::string_view s, bool help_only) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') continue;
    if (i + 1 >= s.size()) return i;
    char c = s[i + 1];
    if (c == '\\' || c == 'n' || (c == '"' && !help_only)) {
      ++i;
      continue;
    }
    return i;
  }
  return std::string_view::npos;
}

}  // namespace promlet::scrape::textparse::internal
