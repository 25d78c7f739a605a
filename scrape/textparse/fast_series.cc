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

// Byte-class tests shared by both widths: x in [lo, lo+n) as one signed
// compare after biasing lo to -128.
#define PROMLET_CLASSIFY_BODY(W, load, set1, or_, add, cmpgt, cmpeq, movemask)        \
  const auto v = load;                                                              \
  const auto lower = or_(v, set1(0x20)); /* only A-Z land in a-z */                 \
  const auto alpha = cmpgt(set1(-128 + 26), add(lower, set1(static_cast<char>(-128 - 'a')))); \
  const auto digit = cmpgt(set1(-128 + 10), add(v, set1(static_cast<char>(-128 - '0'))));     \
  const auto name = or_(or_(alpha, digit), cmpeq(v, set1('_')));                    \
  const auto stop = or_(or_(cmpeq(v, set1('"')), cmpeq(v, set1('\\'))), cmpeq(v, set1('\n'))); \
  const uint64_t name_bits = static_cast<uint32_t>(movemask(name));                \
  const uint64_t colon_bits = static_cast<uint32_t>(movemask(cmpeq(v, set1(':')))); \
  const uint64_t stop_bits = static_cast<uint32_t>(movemask(stop) | movemask(v));

namespace sse2 {
#define FS_TARGET
inline Masks Classify(const char* p) {
  Masks m{0, 0, 0};
  for (int k = 0; k < 4; ++k) {
    PROMLET_CLASSIFY_BODY(16, _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k)),
                          _mm_set1_epi8, _mm_or_si128, _mm_add_epi8, _mm_cmpgt_epi8,
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
FS_TARGET inline Masks Classify(const char* p) {
  Masks m{0, 0, 0};
  for (int k = 0; k < 2; ++k) {
    PROMLET_CLASSIFY_BODY(32, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32 * k)),
                          _mm256_set1_epi8, _mm256_or_si256, _mm256_add_epi8, _mm256_cmpgt_epi8,
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
