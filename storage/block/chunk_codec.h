// Per-chunk sample encodings used inside blocks (docs/format/block.md,
// "ints(n)" and "values(n)"). Each encoder picks the smallest of its
// variants for the chunk at hand: integer sequences as delta or linear
// frame-of-reference bit packing, values as a constant, scaled integers,
// float-bit FOR or Gorilla XOR. Every value comes back bit for bit,
// including NaN payloads such as the staleness marker.
//
//   std::string buf;
//   EncodeInts(ts.data(), ts.size(), &buf);
//   std::string_view in = buf;
//   if (!DecodeInts(&in, ts.size(), out)) -> DataLoss
#ifndef PROMLET_STORAGE_BLOCK_CHUNK_CODEC_H_
#define PROMLET_STORAGE_BLOCK_CHUNK_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace promlet::storage::block {

// Appends ints(n). REQUIRES: n >= 1; consecutive differences fit in int64.
void EncodeInts(const int64_t* v, size_t n, std::string* dst);
// Decodes ints(n) from the front of *in into out[0..n); false when malformed.
bool DecodeInts(std::string_view* in, size_t n, int64_t* out);
// Elements [from, to) of ints(n) into out[0..to-from), consuming all of
// ints(n). Linear FOR reads only those; delta FOR sums the deltas before
// `to`. False also unless from < to <= n.
bool DecodeIntsRange(std::string_view* in, size_t n, size_t from, size_t to, int64_t* out);

// Appends values(n). REQUIRES: n >= 1.
void EncodeValues(const double* v, size_t n, std::string* dst);
bool DecodeValues(std::string_view* in, size_t n, double* out);
// Values [from, to) of values(n) into out[0..to-from) (a query reading a
// few minutes of a chunk skips the rest where the encoding allows).
bool DecodeValuesRange(std::string_view* in, size_t n, size_t from, size_t to, double* out);

// Scaled-integer view of values: v[i] == ints[i] / 10^scale bit for bit.
// False when some value is not such a decimal (NaN, -0, 1/3, > 2^53).
bool ToScaledInts(const double* v, size_t n, int64_t* ints, int* scale);
void ScaledToDoubles(const int64_t* ints, size_t n, int scale, double* out);

// Cross-series regression (values kind 4 body): y ≈ y0 + slope·(x - x0)
// with a 32.32 fixed-point least-squares slope, residuals FOR-packed. The
// reference x is another chunk with the same timestamps (e.g. a
// histogram's +Inf bucket for its other buckets, _sum and _count).
// False when it does not apply (n < 3, constant x, overflow).
bool EncodeRegress(const int64_t* y, const int64_t* x, size_t n, std::string* dst);
bool DecodeRegress(std::string_view* in, const int64_t* x, size_t n, int64_t* y);
// Elements [from, to) into y[0..to-from); x is still the whole reference.
bool DecodeRegressRange(std::string_view* in, const int64_t* x, size_t n, size_t from, size_t to,
                        int64_t* y);

// The values(n) kind byte EncodeValues would choose (for statistics).
uint8_t ValuesKind(std::string_view encoded);

}  // namespace promlet::storage::block

#endif  // PROMLET_STORAGE_BLOCK_CHUNK_CODEC_H_
