// Internal scanning helpers shared by the 0.0.4 and OpenMetrics parsers:
// character classes, number parsing, UTF-8 validation, unescaping.
#ifndef PROMLET_SCRAPE_TEXTPARSE_LEX_UTIL_H_
#define PROMLET_SCRAPE_TEXTPARSE_LEX_UTIL_H_

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

// SWAR helpers: a word with 0x80 in each byte of `w` that is zero (exact
// for the lowest such byte, which is all the scanners below use).
inline uint64_t ZeroBytes(uint64_t w) {
  return (w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull;
}
inline uint64_t BytesEqual(uint64_t w, uint8_t c) {
  return ZeroBytes(w ^ (0x0101010101010101ull * c));
}

// Scans a quoted string's body from p: returns the first byte that is '"',
// '\\' or (when stop_at_newline) '\n', or end. Leaves *seen non-zero when
// any byte passed has its high bit set (non-ASCII: needs UTF-8 validation).
// 16 bytes per step with SSE2, 8 with SWAR elsewhere; near the end of the
// body it falls back to a byte loop.
inline const char* ScanQuoted(const char* p, const char* end, bool stop_at_newline, uint64_t* seen) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'),
                newline = _mm_set1_epi8('\n');
  while (end - p >= 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash));
    if (stop_at_newline) hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, newline));
    unsigned hm = static_cast<unsigned>(_mm_movemask_epi8(hit));
    unsigned high = static_cast<unsigned>(_mm_movemask_epi8(v));
    if (hm) {
      unsigned i = static_cast<unsigned>(__builtin_ctz(hm));
      *seen |= high & ((1u << i) - 1);
      return p + i;
    }
    *seen |= high;
    p += 16;
  }
#else
  uint64_t acc = 0;
  while (end - p >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    uint64_t hit = BytesEqual(w, '"') | BytesEqual(w, '\\');
    if (stop_at_newline) hit |= BytesEqual(w, '\n');
    if (hit) {
      int i = __builtin_ctzll(hit) >> 3;
      acc |= i ? (w & (~0ull >> (64 - 8 * i))) : 0;
      *seen |= acc & 0x8080808080808080ull;
      return p + i;
    }
    acc |= w;
    p += 8;
  }
  *seen |= acc & 0x8080808080808080ull;
#endif
  uint64_t tail = 0;
  for (; p < end; ++p) {
    char c = *p;
    if (c == '"' || c == '\\' || (stop_at_newline && c == '\n')) break;
    tail |= static_cast<uint8_t>(c) & 0x80u;
  }
  *seen |= tail;
  return p;
}

// Returns the first byte at or after p that is not a name character:
// [a-zA-Z0-9_:] for metric names, [a-zA-Z0-9_] for label names.
inline const char* ScanName(const char* p, const char* end, bool metric) {
#if defined(__SSE2__)
  const __m128i case_bit = _mm_set1_epi8(0x20), a = _mm_set1_epi8('a' - 1),
                z = _mm_set1_epi8('z' + 1), d0 = _mm_set1_epi8('0' - 1),
                d9 = _mm_set1_epi8(metric ? ':' + 1 : '9' + 1), us = _mm_set1_epi8('_');
  while (end - p >= 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i lower = _mm_or_si128(v, case_bit);  // only A-Z land in a-z
    __m128i ok = _mm_and_si128(_mm_cmpgt_epi8(lower, a), _mm_cmplt_epi8(lower, z));
    ok = _mm_or_si128(ok, _mm_and_si128(_mm_cmpgt_epi8(v, d0), _mm_cmplt_epi8(v, d9)));
    ok = _mm_or_si128(ok, _mm_cmpeq_epi8(v, us));
    unsigned bad = ~static_cast<unsigned>(_mm_movemask_epi8(ok)) & 0xFFFFu;
    if (bad) return p + __builtin_ctz(bad);
    p += 16;
  }
#endif
  return SkipClass(p, end, metric ? kMetricChar : kLabelChar);
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

// True when all 8 bytes of w are ASCII digits (fast_float's test).
inline bool AllDigits(uint64_t w) {
  return !(((w + 0x4646464646464646ull) | (w - 0x3030303030303030ull)) & 0x8080808080808080ull);
}
// The value of 8 ASCII digits loaded little-endian (fast_float's
// parse_eight_digits_unrolled).
inline uint64_t EightDigits(uint64_t w) {
  const uint64_t mask = 0x000000FF000000FFull;
  const uint64_t mul1 = 0x000F424000000064ull;  // 100 + (1000000 << 32)
  const uint64_t mul2 = 0x0000271000000001ull;  // 1 + (10000 << 32)
  w -= 0x3030303030303030ull;
  w = (w * 10) + (w >> 8);
  w = (((w & mask) * mul1) + (((w >> 16) & mask) * mul2)) >> 32;
  return static_cast<uint32_t>(w);
}

// Scans ASCII digits from q, folding them into *m (m = m*10 + digit; wraps
// silently past 19 digits, callers count digits). SWAR: up to 8 digits per
// step, including a short run (a timestamp, a counter value) in one go.
inline const char* ScanDigits(const char* q, const char* end, uint64_t* m) {
  static constexpr uint64_t kPow10Int[] = {1,      10,      100,      1000,     10000,
                                           100000, 1000000, 10000000, 100000000};
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  while (end - q >= 8) {
    uint64_t w;
    std::memcpy(&w, q, 8);
    // High bit set in each non-digit byte; exact for the lowest one.
    uint64_t non_digit = ((w + 0x4646464646464646ull) | (w - 0x3030303030303030ull)) & 0x8080808080808080ull;
    if (!non_digit) {
      *m = *m * 100000000 + EightDigits(w);
      q += 8;
      continue;
    }
    int n = __builtin_ctzll(non_digit) >> 3;
    if (n) {
      uint64_t padded = (w << (8 * (8 - n))) | (0x3030303030303030ull >> (8 * n));
      *m = *m * kPow10Int[n] + EightDigits(padded);
    }
    return q + n;
  }
#endif
  while (q < end && static_cast<unsigned>(*q - '0') < 10) *m = *m * 10 + static_cast<unsigned>(*q++ - '0');
  return q;
}

// Skips ASCII '0' bytes from q, 8 per step.
inline const char* SkipZeros(const char* q, const char* end) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  while (end - q >= 8) {
    uint64_t w;
    std::memcpy(&w, q, 8);
    const uint64_t not_zero_char = w ^ 0x3030303030303030ull;  // 0 bytes where '0'
    if (not_zero_char != 0) return q + (__builtin_ctzll(not_zero_char) >> 3);
    q += 8;
  }
#endif
  while (q < end && *q == '0') ++q;
  return q;
}

inline constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                    1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                    1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// The value of the n (1 to 15) ASCII digits at s; reads s[0..16).
inline uint64_t DigitsValue(const char* s, unsigned n) {
  static constexpr uint64_t kPow10Int[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000};
  uint64_t w;
  std::memcpy(&w, s, 8);
  // Fewer than 8 digits: move them to the low-order end and fill the
  // high-order end with '0' (s = 0 shifts in nothing).
  auto pad = [](uint64_t x, unsigned k) {
    unsigned shift = 8 * (8 - k);
    return (x << shift) | (0x3030303030303030ull >> (63 - shift) >> 1);
  };
  if (n <= 8) return EightDigits(pad(w, n));
  uint64_t w2;
  std::memcpy(&w2, s + 8, 8);
  return EightDigits(w) * kPow10Int[n - 8] + EightDigits(pad(w2, n - 8));
}

#if defined(__SSE2__)
// kTailMask.m[n]: a 16-byte mask whose last n bytes are set.
struct TailMasks {
  alignas(16) unsigned char m[17][16];
  constexpr TailMasks() : m{} {
    for (int n = 0; n <= 16; ++n) {
      for (int i = 16 - n; i < 16; ++i) m[n][i] = 0xFF;
    }
  }
};
inline constexpr TailMasks kTailMask;

// The value of a decimal token of int_len digits, then (when frac_len > 0)
// a '.' and frac_len digits, that ends at e, as one integer (dot dropped);
// int_len + frac_len <= 16. Reads e[-16, 0). One 16-byte load: the dot is
// closed up with a 1-byte shift, the digits are summed pairwise in three
// multiply-add steps (SSE2 pmaddwd).
inline uint64_t PackedDigitsValue(const char* e, unsigned int_len, unsigned frac_len) {
  auto mask = [](unsigned n) { return _mm_load_si128(reinterpret_cast<const __m128i*>(kTailMask.m[n])); };
  __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(e - 16));
  if (frac_len != 0) {
    const __m128i frac = mask(frac_len);
    v = _mm_or_si128(_mm_and_si128(frac, v), _mm_andnot_si128(frac, _mm_slli_si128(v, 1)));
  }
  v = _mm_and_si128(_mm_subs_epu8(v, _mm_set1_epi8('0')), mask(int_len + frac_len));
  const __m128i zero = _mm_setzero_si128();
  const __m128i pairs = _mm_set1_epi32(0x0001000A);  // 10, 1 as int16 pairs
  __m128i two = _mm_packs_epi32(_mm_madd_epi16(_mm_unpacklo_epi8(v, zero), pairs),
                                _mm_madd_epi16(_mm_unpackhi_epi8(v, zero), pairs));
  __m128i four = _mm_madd_epi16(two, _mm_set1_epi32(0x00010064));  // 100, 1
  __m128i eight = _mm_madd_epi16(_mm_packs_epi32(four, four), _mm_set1_epi32(0x00012710));  // 10000, 1
  const uint64_t halves = static_cast<uint64_t>(_mm_cvtsi128_si64(eight));
  return (halves & 0xFFFFFFFFu) * 100000000 + (halves >> 32);
}
#endif

// The common number shape, [-]digits[.digits] up to 31 bytes long whose
// digits after the integer part's leading zeros number at most 15 (so the
// mantissa is an exact double): found with one 32-byte classification (two
// SSE2 loads) and converted 8 digits at a time. Zero-padded values (the
// synthetic targets write 20 characters) take this path too. It computes
// exactly the mantissa and the fraction length ParseNumberTokenScalar's
// Clinger branch computes, so the result is the same double;
// fast_path_test.cc (ShortNumber.MatchesScalarPath) compares the two. Needs
// 33 readable bytes at p, and uses 16 before the token's end when begin
// (the start of the readable memory) allows. False, with nothing set, for
// any other shape.
template <typename Delim>
inline bool ParseShortNumber(const char* begin, const char* p, const char* end, Delim is_delim,
                             const char** token_end, double* out) {
#if defined(__SSE2__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (end - p <= 32) return false;
  const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  // '0'..'9' biased to -128..-119: one signed compare.
  auto digits = [](__m128i v) {
    return static_cast<uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(
        _mm_cmpgt_epi8(_mm_set1_epi8(-118), _mm_add_epi8(v, _mm_set1_epi8(80))))));
  };
  auto zeros = [](__m128i v) {
    return static_cast<uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('0')))));
  };
  // Bit i: byte p[i] is a digit (is '0'); bits 32 and up are clear, so a
  // run that reaches them ends at 32 and fails the length check. The second
  // 16 bytes are classified only when the token may reach them (a digit or
  // '.' at p[15]): most exporters' values are shorter.
  uint64_t digit = digits(lo);
  uint64_t zero = zeros(lo);
  if ((digit >> 15) != 0 || p[15] == '.') {
    const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16));
    digit |= digits(hi) << 16;
    zero |= zeros(hi) << 16;
  }
  const unsigned neg = p[0] == '-';
  const unsigned int_len = static_cast<unsigned>(__builtin_ctzll(~(digit >> neg)));
  if (int_len == 0 || int_len >= 31) return false;
  // Leading zeros of the integer part carry no value (the scalar path's
  // SkipZeros).
  const unsigned lead_zeros = std::min(int_len, static_cast<unsigned>(__builtin_ctzll(~(zero >> neg))));
  const unsigned sig_len = int_len - lead_zeros;
  unsigned len = neg + int_len;
  unsigned frac_len = 0;
  if (p[len] == '.') {
    frac_len = static_cast<unsigned>(__builtin_ctzll(~(digit >> (len + 1))));
    if (frac_len == 0) return false;
    len += 1 + frac_len;
  }
  if (sig_len + frac_len > 15 || len >= 32 || !is_delim(p[len])) return false;
  uint64_t m;
  if (p + len - begin >= 16) {
    m = PackedDigitsValue(p + len, sig_len, frac_len);
  } else {
    static constexpr uint64_t kScale[] = {1,       10,       100,       1000,       10000,
                                          100000,  1000000,  10000000,  100000000,  1000000000,
                                          10000000000ull, 100000000000ull, 1000000000000ull,
                                          10000000000000ull, 100000000000000ull, 1000000000000000ull};
    m = sig_len != 0 ? DigitsValue(p + neg + lead_zeros, sig_len) : 0;
    if (frac_len != 0) m = m * kScale[frac_len] + DigitsValue(p + len - frac_len, frac_len);
  }
  double d = static_cast<double>(m);
  if (frac_len != 0) d /= kPow10[frac_len];
  *out = neg ? -d : d;
  *token_end = p + len;
  return true;
#else
  (void)begin, (void)p, (void)end, (void)is_delim, (void)token_end, (void)out;
  return false;
#endif
}

// Parses the number token that starts at p and ends before the first byte
// for which is_delim() holds (or at end); *token_end is set either way. The
// common [-]digits[.digits] whose mantissa is an exact double is converted
// while it is scanned (one correctly rounded division, Clinger's fast path);
// anything else goes through ParseGoFloat. False on an invalid number
// (check *token_end == p for an empty token).
// `begin`: where readable memory starts (the body), for ParseShortNumber.
template <typename Delim>
inline bool ParseNumberTokenScalar(const char* p, const char* end, Delim is_delim, const char** token_end,
                                   double* out);

template <typename Delim>
inline bool ParseNumberToken(const char* p, const char* end, Delim is_delim,
                             const char** token_end, double* out, const char* begin = nullptr) {
  if (ParseShortNumber(begin != nullptr ? begin : p, p, end, is_delim, token_end, out)) return true;
  return ParseNumberTokenScalar(p, end, is_delim, token_end, out);
}

// ParseNumberToken without the SIMD branch: a byte-wise scan (8 digits per
// step), the exact Clinger conversions, else ParseGoFloat.
template <typename Delim>
inline bool ParseNumberTokenScalar(const char* p, const char* end, Delim is_delim, const char** token_end,
                                   double* out) {
  const char* q = p;
  bool neg = false;
  if (q < end && *q == '-') {
    neg = true;
    ++q;
  }
  const char* digits = q;
  // Leading zeros carry no value (zero-padded exporters write
  // "00000000000000001234"); skipping them keeps m free of wrap-around for
  // up to 19 further digits.
  q = SkipZeros(q, end);
  const char* significant = q;
  uint64_t m = 0;
  q = ScanDigits(q, end, &m);
  long nd = q - digits;
  long scanned = q - significant;
  long frac = 0;
  if (nd > 0 && q < end && *q == '.') {
    const char* f = ++q;
    q = ScanDigits(q, end, &m);
    frac = q - f;
    nd += frac;
    scanned += frac;
  }
  // Clinger's fast path: exact when the mantissa is an exact double (at
  // most 19 digits scanned, so no wrap, and m <= 2^53) and 10^frac is too
  // (frac <= 22): one correctly rounded division.
  constexpr uint64_t kMaxExactMantissa = uint64_t{1} << 53;
  const bool exact_mantissa = nd > 0 && scanned <= 19 && m <= kMaxExactMantissa;
  if (exact_mantissa && frac <= 22 && (q == end || is_delim(*q))) {
    double v = static_cast<double>(m);
    if (frac) v /= kPow10[frac];
    *out = neg ? -v : v;
    *token_end = q;
    return true;
  }
  // Exponent form (node_exporter's "1.6934e+09"): still exact when the
  // mantissa is exact and the net power of ten is within +-22 (one
  // correctly rounded multiply or divide, Clinger's fast path).
  if (exact_mantissa && q < end && (*q == 'e' || *q == 'E')) {
    const char* e = q + 1;
    const bool exp_neg = e < end && *e == '-';
    if (e < end && (*e == '+' || *e == '-')) ++e;
    const char* exp_digits = e;
    long exp = 0;
    while (e < end && e - exp_digits < 3 && *e >= '0' && *e <= '9') exp = exp * 10 + (*e++ - '0');
    const long pow10 = (exp_neg ? -exp : exp) - frac;
    if (e > exp_digits && (e == end || is_delim(*e)) && pow10 >= -22 && pow10 <= 22) {
      double v = static_cast<double>(m);
      v = pow10 >= 0 ? v * kPow10[pow10] : v / kPow10[-pow10];
      *out = neg ? -v : v;
      *token_end = e;
      return true;
    }
  }
  while (q < end && !is_delim(*q)) ++q;
  *token_end = q;
  return q > p && ParseGoFloat(p, q, out);
}

// Go strconv.ParseInt(s, 10, 64), optionally without sign.
bool ParseInt64(const char* b, const char* e, bool allow_sign, int64_t* out);

// Converts OpenMetrics float seconds to ms like Prometheus's int64(ts*1000),
// clamped to the int64 range instead of Go's unspecified overflow.
inline int64_t SecondsToMs(double seconds) {
  double ms = seconds * 1000;
  if (ms >= 9223372036854775807.0) return INT64_MAX;
  if (ms <= -9223372036854775808.0) return INT64_MIN;
  return static_cast<int64_t>(ms);
}

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
