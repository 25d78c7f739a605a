// SSE2 and AVX2 builds of the sample-line fast path (fast_series_walk.inc),
// chosen at run time. The AVX2 functions carry a target attribute instead of
// the file being compiled with -mavx2, so no AVX2 code can leak into inline
// functions shared with the rest of the program.
#include "scrape/textparse/fast_series.h"

#include <cstdint>
#include <string_view>

#include "scrape/textparse/lex_util.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define PROMLET_FAST_SERIES_X86 1
#endif

namespace promlet::scrape::textparse::internal {

#if defined(PROMLET_FAST_SERIES_X86) && defined(__SSE2__)
namespace {

struct Masks {
  uint64_t name;   // [a-zA-Z0-9_]
  uint64_t colon;  // ':'
  uint64_t stop;   // '"', '\\', '\n', >= 0x80
};

// The byte-class constants, one 32-byte row each. Classify reads them
// through a pointer the compiler cannot see through (an empty asm), so they
// are memory operands; as immediates GCC rebuilds each broadcast (three
// instructions) at every inlined Classify.
struct alignas(32) Row {
  char b[32];
};
constexpr Row Fill(char c) {
  Row r{};
  for (char& x : r.b) x = c;
  return r;
}
enum { kCaseBit, kAlphaBias, kAlphaLimit, kDigitBias, kDigitLimit, kUnderscore, kColon,
       kQuote, kBackslash, kNewline, kRows };
// x in [lo, lo + n) is one signed compare after biasing lo to -128.
alignas(32) constexpr Row kConsts[kRows] = {
    Fill(0x20),  // only A-Z land in a-z
    Fill(static_cast<char>(-128 - 'a')), Fill(-128 + 26),
    Fill(static_cast<char>(-128 - '0')), Fill(-128 + 10),
    Fill('_'), Fill(':'), Fill('"'), Fill('\\'), Fill('\n')};

inline const Row* OpaqueConsts() {
  const Row* t = kConsts;
  __asm__("" : "+r"(t));
  return t;
}

#define PROMLET_CLASSIFY_BODY(V, load, or_, add, cmpgt, cmpeq, movemask)                 \
  const Row* t = OpaqueConsts();                                                        \
  const V v = load(p);                                                                  \
  const V lower = or_(v, load(t[kCaseBit].b));                                          \
  const V alpha = cmpgt(load(t[kAlphaLimit].b), add(lower, load(t[kAlphaBias].b)));     \
  const V digit = cmpgt(load(t[kDigitLimit].b), add(v, load(t[kDigitBias].b)));         \
  const V name = or_(or_(alpha, digit), cmpeq(v, load(t[kUnderscore].b)));              \
  const V stop = or_(or_(cmpeq(v, load(t[kQuote].b)), cmpeq(v, load(t[kBackslash].b))),  \
                     cmpeq(v, load(t[kNewline].b)));                                     \
  const uint64_t name_bits = static_cast<uint32_t>(movemask(name));                     \
  const uint64_t colon_bits = static_cast<uint32_t>(movemask(cmpeq(v, load(t[kColon].b)))); \
  const uint64_t stop_bits = static_cast<uint32_t>(movemask(stop) | movemask(v));

namespace sse2 {
#define FS_TARGET
inline __m128i Load16(const char* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
inline Masks Classify(const char* block) {
  Masks m{0, 0, 0};
  for (int k = 0; k < 4; ++k) {
    const char* p = block + 16 * k;
    PROMLET_CLASSIFY_BODY(__m128i, Load16, _mm_or_si128, _mm_add_epi8, _mm_cmpgt_epi8,
                          _mm_cmpeq_epi8, _mm_movemask_epi8)
    m.name |= name_bits << (16 * k);
    m.colon |= colon_bits << (16 * k);
    m.stop |= stop_bits << (16 * k);
  }
  return m;
}
#include "scrape/textparse/fast_series_walk.inc"
#undef FS_TARGET
}  // namespace sse2

namespace avx2 {
#define FS_TARGET __attribute__((target("avx2")))
FS_TARGET inline __m256i Load32(const char* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}
FS_TARGET inline Masks Classify(const char* block) {
  Masks m{0, 0, 0};
  for (int k = 0; k < 2; ++k) {
    const char* p = block + 32 * k;
    PROMLET_CLASSIFY_BODY(__m256i, Load32, _mm256_or_si256, _mm256_add_epi8, _mm256_cmpgt_epi8,
                          _mm256_cmpeq_epi8, _mm256_movemask_epi8)
    m.name |= name_bits << (32 * k);
    m.colon |= colon_bits << (32 * k);
    m.stop |= stop_bits << (32 * k);
  }
  return m;
}
#include "scrape/textparse/fast_series_walk.inc"
#undef FS_TARGET
}  // namespace avx2

#undef PROMLET_CLASSIFY_BODY

}  // namespace

FastSeriesFn FastSeriesSse2() { return &sse2::WalkSeries; }

FastSeriesFn FastSeriesAvx2() {
  static const bool has_avx2 = __builtin_cpu_supports("avx2");
  return has_avx2 ? &avx2::WalkSeries : nullptr;
}

FastSeriesFn BestFastSeries() {
  FastSeriesFn f = FastSeriesAvx2();
  return f != nullptr ? f : FastSeriesSse2();
}

#else  // no SSE2: no fast path, every line takes the general code

FastSeriesFn FastSeriesSse2() { return nullptr; }
FastSeriesFn FastSeriesAvx2() { return nullptr; }
FastSeriesFn BestFastSeries() { return nullptr; }

#endif

}  // namespace promlet::scrape::textparse::internal
