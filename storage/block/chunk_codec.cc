#include "storage/block/chunk_codec.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "absl/base/internal/endian.h"
#include "absl/base/optimization.h"
#include "base/coding.h"
#include "storage/block/block_format.h"

namespace promlet::storage::block {
namespace {

using base::PutVarint64;
using base::PutVarsint64;

// LSB-first bit packing. Bits are appended into a 128-bit accumulator so a
// single write can take up to 64 bits.
class BitWriter {
 public:
  explicit BitWriter(std::string* dst) : dst_(dst) {}
  void Write(uint64_t v, int width) {
    if (width == 0) return;
    acc_ |= static_cast<unsigned __int128>(v) << nbits_;
    nbits_ += width;
    while (nbits_ >= 8) {
      dst_->push_back(static_cast<char>(static_cast<uint8_t>(acc_)));
      acc_ >>= 8;
      nbits_ -= 8;
    }
  }
  void Flush() {
    if (nbits_ > 0) dst_->push_back(static_cast<char>(static_cast<uint8_t>(acc_)));
    acc_ = 0;
    nbits_ = 0;
  }

 private:
  std::string* dst_;
  unsigned __int128 acc_ = 0;
  int nbits_ = 0;
};

// Reads what BitWriter wrote; past the end it returns zeros and sets bad().
class BitReader {
 public:
  BitReader(const char* p, const char* end)
      : p_(reinterpret_cast<const uint8_t*>(p)), end_(reinterpret_cast<const uint8_t*>(end)) {}
  uint64_t Read(int width) {
    if (width == 0) return 0;
    while (nbits_ < width) {
      if (ABSL_PREDICT_FALSE(p_ == end_)) {
        bad_ = true;
        return 0;
      }
      acc_ |= static_cast<unsigned __int128>(*p_++) << nbits_;
      nbits_ += 8;
    }
    uint64_t v = static_cast<uint64_t>(acc_);
    if (width < 64) v &= (uint64_t{1} << width) - 1;
    acc_ >>= width;
    nbits_ -= width;
    return v;
  }
  bool bad() const { return bad_; }
  // Bytes consumed, counting a partly read byte as consumed.
  const char* pos() const { return reinterpret_cast<const char*>(p_); }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
  unsigned __int128 acc_ = 0;
  int nbits_ = 0;
  bool bad_ = false;
};

int BitsFor(uint64_t range) { return range == 0 ? 0 : 64 - std::countl_zero(range); }

size_t PackedBytes(size_t count, int width) { return (count * static_cast<size_t>(width) + 7) / 8; }

// Frame of reference: writes min (varsint), width, then each v-min.
template <typename Get>
void PutFor(size_t count, Get get, std::string* dst) {
  if (count == 0) {
    PutVarsint64(dst, 0);
    dst->push_back(0);
    return;
  }
  int64_t lo = get(0), hi = get(0);
  for (size_t i = 1; i < count; ++i) {
    int64_t x = get(i);
    lo = x < lo ? x : lo;
    hi = x > hi ? x : hi;
  }
  int width = BitsFor(static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo));
  PutVarsint64(dst, lo);
  dst->push_back(static_cast<char>(width));
  dst->reserve(dst->size() + PackedBytes(count, width));
  BitWriter w(dst);
  for (size_t i = 0; i < count; ++i) w.Write(static_cast<uint64_t>(get(i)) - static_cast<uint64_t>(lo), width);
  w.Flush();
}

bool GetByte(std::string_view* in, uint8_t* b) {
  if (in->empty()) return false;
  *b = static_cast<uint8_t>((*in)[0]);
  in->remove_prefix(1);
  return true;
}

// Bits [bit, bit+width) of the packed little-endian stream p[0, bytes),
// assembled byte by byte (the tail, where an 8-byte load would overrun).
uint64_t ReadBitsTail(const uint8_t* p, size_t bytes, size_t bit, int width) {
  unsigned __int128 acc = 0;
  int have = 0;
  for (size_t b = bit >> 3; have < width + static_cast<int>(bit & 7) && b < bytes; ++b, have += 8) {
    acc |= static_cast<unsigned __int128>(p[b]) << have;
  }
  uint64_t v = static_cast<uint64_t>(acc >> (bit & 7));
  return width < 64 ? v & ((uint64_t{1} << width) - 1) : v;
}

// Reads a FOR header and calls put(i, value) for the values i in
// [from, to) (to <= count; the packing is fixed-width, so a range is read
// without the values around it); consumes all count values. Hot on the query path
// (every selected chunk): values of width <= 56 bits are read with one
// unaligned 8-byte load each, the last few byte by byte.
template <typename Put>
bool GetFor(std::string_view* in, size_t count, Put put, size_t from = 0, size_t to = SIZE_MAX) {
  to = std::min(to, count);
  int64_t lo;
  uint8_t width;
  if (!base::GetVarsint64(in, &lo) || !GetByte(in, &width) || width > 64) return false;
  const size_t bytes = PackedBytes(count, width);
  if (bytes > in->size()) return false;
  const uint8_t* p = reinterpret_cast<const uint8_t*>(in->data());
  const uint64_t base = static_cast<uint64_t>(lo);
  size_t i = from, bit = from * width;
  if (width == 0) {
    for (; i < to; ++i) put(i, lo);
  } else if (width <= 56) {
    const uint64_t mask = (uint64_t{1} << width) - 1;
    for (; i < to && (bit >> 3) + 8 <= bytes; ++i, bit += width) {
      uint64_t word;
      std::memcpy(&word, p + (bit >> 3), 8);
      word = absl::little_endian::ToHost64(word);
      put(i, static_cast<int64_t>(base + ((word >> (bit & 7)) & mask)));
    }
  }
  for (; i < to; ++i, bit += width) {
    put(i, static_cast<int64_t>(base + ReadBitsTail(p, bytes, bit, width)));
  }
  in->remove_prefix(bytes);
  return true;
}

// Linear prediction with a 16.16 fixed-point slope: first + floor(slope*i / 2^16).
constexpr int kSlopeFracBits = 16;
int64_t LinearPredict(int64_t first, int64_t slope, size_t i) {
  int64_t q64;
  if (ABSL_PREDICT_TRUE(!__builtin_mul_overflow(slope, static_cast<int64_t>(i), &q64))) {
    // Same bits as the 128-bit path below when the product fits.
    return static_cast<int64_t>(static_cast<uint64_t>(first) + static_cast<uint64_t>(q64 >> kSlopeFracBits));
  }
  __int128 q = static_cast<__int128>(slope) * static_cast<__int128>(i);
  return static_cast<int64_t>(static_cast<__int128>(first) + (q >> kSlopeFracBits));
}

// Least-squares slope of v over i in 16.16 fixed point; false if it does not fit.
bool FitSlope(const int64_t* v, size_t n, int64_t* slope) {
  const double mean_i = static_cast<double>(n - 1) / 2;
  double mean_v = 0;
  for (size_t i = 0; i < n; ++i) mean_v += (static_cast<double>(v[i]) - static_cast<double>(v[0]));
  mean_v /= static_cast<double>(n);
  double cov = 0, var = 0;
  for (size_t i = 0; i < n; ++i) {
    double di = static_cast<double>(i) - mean_i;
    cov += di * ((static_cast<double>(v[i]) - static_cast<double>(v[0])) - mean_v);
    var += di * di;
  }
  double s = std::nearbyint(cov / var * (1 << kSlopeFracBits));
  if (!(std::fabs(s) < 9.2e18)) return false;
  *slope = static_cast<int64_t>(s);
  return true;
}

constexpr double kPow10[kMaxDecimalScale + 1] = {1, 10, 100, 1000, 1e4, 1e5, 1e6};
constexpr double kMaxExactInt = 9007199254740992.0;  // 2^53

// Smallest scale s such that v == llround(v*10^s)/10^s bit for bit, or -1.
int DecimalScale(double v, int from) {
  for (int s = from; s <= kMaxDecimalScale; ++s) {
    double m = v * kPow10[s];
    if (!(std::fabs(m) <= kMaxExactInt)) return -1;  // also NaN
    // Through int64 as the encoder stores it, so -0 does not qualify.
    double r = static_cast<double>(static_cast<int64_t>(std::nearbyint(m)));
    double back = r / kPow10[s];
    if (std::bit_cast<uint64_t>(back) == std::bit_cast<uint64_t>(v)) return s;
  }
  return -1;
}

void PutXor(const double* v, size_t n, std::string* dst) {
  BitWriter w(dst);
  uint64_t prev = std::bit_cast<uint64_t>(v[0]);
  w.Write(prev, 64);
  int lead = -1, trail = 0;
  for (size_t i = 1; i < n; ++i) {
    uint64_t cur = std::bit_cast<uint64_t>(v[i]);
    uint64_t x = cur ^ prev;
    prev = cur;
    if (x == 0) {
      w.Write(0, 1);
      continue;
    }
    int l = std::countl_zero(x), t = std::countr_zero(x);
    if (l > 31) l = 31;
    if (lead >= 0 && l >= lead && t >= trail) {
      w.Write(1, 1);
      w.Write(0, 1);
      w.Write(x >> trail, 64 - lead - trail);
      continue;
    }
    lead = l;
    trail = t;
    int sig = 64 - l - t;
    w.Write(1, 1);
    w.Write(1, 1);
    w.Write(static_cast<uint64_t>(l), 5);
    w.Write(static_cast<uint64_t>(sig - 1), 6);
    w.Write(x >> t, sig);
  }
  w.Flush();
}

bool GetXor(std::string_view* in, size_t n, double* out) {
  BitReader r(in->data(), in->data() + in->size());
  uint64_t prev = r.Read(64);
  out[0] = std::bit_cast<double>(prev);
  int lead = -1, trail = 0;
  for (size_t i = 1; i < n && !r.bad(); ++i) {
    if (r.Read(1) != 0) {
      if (r.Read(1) != 0) {
        lead = static_cast<int>(r.Read(5));
        int sig = static_cast<int>(r.Read(6)) + 1;
        if (lead + sig > 64) return false;
        trail = 64 - lead - sig;
      } else if (lead < 0) {
        return false;
      }
      prev ^= r.Read(64 - lead - trail) << trail;
    }
    out[i] = std::bit_cast<double>(prev);
  }
  if (r.bad()) return false;
  in->remove_prefix(static_cast<size_t>(r.pos() - in->data()));
  return true;
}

}  // namespace

void EncodeInts(const int64_t* v, size_t n, std::string* dst) {
  // Delta FOR; for n >= 3 also linear FOR around a least-squares line
  // (counters grow at a near-constant rate, so residuals span only the
  // jitter, about one bit less than deltas); keep the smaller.
  size_t start = dst->size();
  dst->push_back(static_cast<char>(kIntsDelta));
  PutVarsint64(dst, v[0]);
  PutFor(n - 1, [v](size_t i) { return v[i + 1] - v[i]; }, dst);
  int64_t slope;
  if (n < 3 || !FitSlope(v, n, &slope)) return;
  // Residuals must fit in int64 for FOR.
  const int64_t first = v[0];
  __int128 lo = 0, hi = 0;
  for (size_t i = 1; i < n; ++i) {
    __int128 r = static_cast<__int128>(v[i]) - LinearPredict(first, slope, i);
    lo = r < lo ? r : lo;
    hi = r > hi ? r : hi;
  }
  if (lo < INT64_MIN / 2 || hi > INT64_MAX / 2) return;
  thread_local std::string lin;
  lin.clear();
  lin.push_back(static_cast<char>(kIntsLinear));
  PutVarsint64(&lin, first);
  PutVarsint64(&lin, slope);
  PutFor(n - 1, [&](size_t i) { return v[i + 1] - LinearPredict(first, slope, i + 1); }, &lin);
  if (lin.size() < dst->size() - start) {
    dst->resize(start);
    dst->append(lin);
  }
}

bool DecodeInts(std::string_view* in, size_t n, int64_t* out) { return DecodeIntsRange(in, n, 0, n, out); }

bool DecodeIntsRange(std::string_view* in, size_t n, size_t from, size_t to, int64_t* out) {
  uint8_t mode;
  int64_t first;
  if (n == 0 || from >= to || to > n || !GetByte(in, &mode) || !base::GetVarsint64(in, &first)) return false;
  if (from == 0) out[0] = first;
  int64_t* const shifted = out - from;  // shifted[i] is element i; only from <= i < to are written
  // Element i + 1 comes from packed value i.
  const size_t packed_from = from == 0 ? 0 : from - 1, packed_to = to - 1;
  if (mode == kIntsDelta) {
    // Running sum: every delta before `to` is read, only the range stored.
    int64_t acc = first;
    if (from == 0) {
      return GetFor(
          in, n - 1,
          [&](size_t i, int64_t d) {
            acc = static_cast<int64_t>(static_cast<uint64_t>(acc) + static_cast<uint64_t>(d));
            out[i + 1] = acc;
          },
          0, packed_to);
    }
    return GetFor(
        in, n - 1,
        [&](size_t i, int64_t d) {
          acc = static_cast<int64_t>(static_cast<uint64_t>(acc) + static_cast<uint64_t>(d));
          if (i + 1 >= from) shifted[i + 1] = acc;
        },
        0, packed_to);
  }
  if (mode != kIntsLinear || n < 3) return false;
  int64_t slope;
  if (!base::GetVarsint64(in, &slope)) return false;
  return GetFor(
      in, n - 1,
      [&](size_t i, int64_t r) {
        shifted[i + 1] = static_cast<int64_t>(static_cast<uint64_t>(LinearPredict(first, slope, i + 1)) +
                                              static_cast<uint64_t>(r));
      },
      packed_from, packed_to);
}

bool ToScaledInts(const double* v, size_t n, int64_t* ints, int* scale) {
  if (n > kMaxChunkSamples) return false;
  int s = 0;
  for (size_t i = 0; i < n && s >= 0; ++i) s = DecimalScale(v[i], s);
  if (s < 0) return false;
  for (size_t i = 0; i < n; ++i) ints[i] = static_cast<int64_t>(std::nearbyint(v[i] * kPow10[s]));
  *scale = s;
  return true;
}

namespace {
constexpr int kRegressFracBits = 32;

int64_t RegressPredict(int64_t y0, int64_t slope, int64_t x0, int64_t x) {
  int64_t dx64, q64;
  if (ABSL_PREDICT_TRUE(!__builtin_sub_overflow(x, x0, &dx64) && !__builtin_mul_overflow(dx64, slope, &q64))) {
    // Same bits as the 128-bit path below when nothing overflows.
    return static_cast<int64_t>(static_cast<uint64_t>(y0) + static_cast<uint64_t>(q64 >> kRegressFracBits));
  }
  __int128 dx = static_cast<__int128>(x) - x0;
  return static_cast<int64_t>(static_cast<__int128>(y0) + ((dx * slope) >> kRegressFracBits));
}
}  // namespace

bool EncodeRegress(const int64_t* y, const int64_t* x, size_t n, std::string* dst) {
  if (n < 3) return false;
  double mx = 0, my = 0;
  for (size_t i = 0; i < n; ++i) {
    mx += static_cast<double>(x[i]) - static_cast<double>(x[0]);
    my += static_cast<double>(y[i]) - static_cast<double>(y[0]);
  }
  mx /= static_cast<double>(n);
  my /= static_cast<double>(n);
  double cov = 0, var = 0;
  for (size_t i = 0; i < n; ++i) {
    double dx = static_cast<double>(x[i]) - static_cast<double>(x[0]) - mx;
    cov += dx * (static_cast<double>(y[i]) - static_cast<double>(y[0]) - my);
    var += dx * dx;
  }
  if (!(var > 0)) return false;
  double sd = std::nearbyint(cov / var * 4294967296.0);
  if (!(std::fabs(sd) < 4.6e18)) return false;
  const int64_t slope = static_cast<int64_t>(sd);
  __int128 lo = 0, hi = 0;
  for (size_t i = 1; i < n; ++i) {
    __int128 r = static_cast<__int128>(y[i]) - RegressPredict(y[0], slope, x[0], x[i]);
    lo = r < lo ? r : lo;
    hi = r > hi ? r : hi;
  }
  if (lo < INT64_MIN / 2 || hi > INT64_MAX / 2) return false;
  PutVarsint64(dst, y[0]);
  PutVarsint64(dst, slope);
  PutFor(n - 1, [&](size_t i) { return y[i + 1] - RegressPredict(y[0], slope, x[0], x[i + 1]); }, dst);
  return true;
}

bool DecodeRegress(std::string_view* in, const int64_t* x, size_t n, int64_t* y) {
  return DecodeRegressRange(in, x, n, 0, n, y);
}

bool DecodeRegressRange(std::string_view* in, const int64_t* x, size_t n, size_t from, size_t to, int64_t* y) {
  int64_t slope, y0;
  if (n < 3 || from >= to || to > n || !base::GetVarsint64(in, &y0) || !base::GetVarsint64(in, &slope)) {
    return false;
  }
  if (from == 0) y[0] = y0;
  int64_t* const shifted = y - from;  // shifted[i] is element i; only from <= i < to are written
  return GetFor(
      in, n - 1,
      [&](size_t i, int64_t r) {
        shifted[i + 1] = static_cast<int64_t>(static_cast<uint64_t>(RegressPredict(y0, slope, x[0], x[i + 1])) +
                                              static_cast<uint64_t>(r));
      },
      from == 0 ? 0 : from - 1, to - 1);
}

void ScaledToDoubles(const int64_t* ints, size_t n, int scale, double* out) {
  const double p = kPow10[scale];
  if (scale == 0) {
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<double>(ints[i]);
  } else {
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<double>(ints[i]) / p;
  }
}

void EncodeValues(const double* v, size_t n, std::string* dst) {
  const uint64_t b0 = std::bit_cast<uint64_t>(v[0]);
  bool constant = true;
  for (size_t i = 1; i < n && constant; ++i) constant = std::bit_cast<uint64_t>(v[i]) == b0;
  if (constant) {
    dst->push_back(static_cast<char>(kValuesConst));
    base::PutFixed64(dst, b0);
    return;
  }
  int scale;
  int64_t ints[kMaxChunkSamples];
  if (ToScaledInts(v, n, ints, &scale)) {
    // Scaled integers: counters, bucket counts, coarse gauges, ms-rounded sums.
    dst->push_back(static_cast<char>(kValuesInt));
    dst->push_back(static_cast<char>(scale));
    EncodeInts(ints, n, dst);
    return;
  }
  // Float FOR over the raw bits when values share sign and are incompressible
  // in XOR terms; otherwise XOR. Keep the smaller.
  size_t start = dst->size();
  dst->push_back(static_cast<char>(kValuesXor));
  PutXor(v, n, dst);
  uint64_t lo = b0, hi = b0;
  for (size_t i = 1; i < n; ++i) {
    uint64_t b = std::bit_cast<uint64_t>(v[i]);
    lo = b < lo ? b : lo;
    hi = b > hi ? b : hi;
  }
  size_t for_size = 1 + 10 + 1 + PackedBytes(n, BitsFor(hi - lo));
  if (for_size < dst->size() - start) {
    dst->resize(start);
    dst->push_back(static_cast<char>(kValuesFloatFor));
    PutVarint64(dst, lo);
    int width = BitsFor(hi - lo);
    dst->push_back(static_cast<char>(width));
    BitWriter w(dst);
    for (size_t i = 0; i < n; ++i) w.Write(std::bit_cast<uint64_t>(v[i]) - lo, width);
    w.Flush();
  }
}

bool DecodeValues(std::string_view* in, size_t n, double* out) { return DecodeValuesRange(in, n, 0, n, out); }

bool DecodeValuesRange(std::string_view* in, size_t n, size_t from, size_t to, double* out) {
  uint8_t kind;
  if (n == 0 || from >= to || to > n || !GetByte(in, &kind)) return false;
  const size_t len = to - from;
  switch (kind) {
    case kValuesConst: {
      uint64_t b;
      if (!base::GetFixed64(in, &b)) return false;
      double d = std::bit_cast<double>(b);
      for (size_t i = 0; i < len; ++i) out[i] = d;
      return true;
    }
    case kValuesInt: {
      uint8_t scale;
      if (!GetByte(in, &scale) || scale > kMaxDecimalScale || n > kMaxChunkSamples) return false;
      int64_t ints[kMaxChunkSamples];
      if (!DecodeIntsRange(in, n, from, to, ints)) return false;
      ScaledToDoubles(ints, len, scale, out);
      return true;
    }
    case kValuesFloatFor: {
      uint64_t lo;
      uint8_t width;
      if (!base::GetVarint64(in, &lo) || !GetByte(in, &width) || width > 64) return false;
      size_t bytes = PackedBytes(n, width);
      if (bytes > in->size()) return false;
      BitReader r(in->data(), in->data() + bytes);
      for (size_t i = 0; i < n; ++i) {
        uint64_t b = lo + r.Read(width);
        if (i >= from && i < to) out[i - from] = std::bit_cast<double>(b);
      }
      in->remove_prefix(bytes);
      return !r.bad();
    }
    case kValuesXor: {
      // Each value depends on the one before: decode all, keep the range.
      if (from == 0 && to == n) return GetXor(in, n, out);
      if (n > kMaxChunkSamples) return false;
      double all[kMaxChunkSamples];
      if (!GetXor(in, n, all)) return false;
      std::memcpy(out, all + from, len * sizeof(double));
      return true;
    }
    default:
      return false;
  }
}

uint8_t ValuesKind(std::string_view encoded) {
  return encoded.empty() ? 0xff : static_cast<uint8_t>(encoded[0]);
}

}  // namespace promlet::storage::block
