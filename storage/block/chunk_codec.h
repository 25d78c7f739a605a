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

// Appends values(n). REQUIRES: n >= 1.
void EncodeValues(const double* v, size_t n, std::string* dst);
bool DecodeValues(std::string_view* in, size_t n, double* out);

// The values(n) kind byte EncodeValues would choose (for statistics).
uint8_t ValuesKind(std::string_view encoded);

}  // namespace promlet::storage::block

#endif  // PROMLET_STORAGE_BLOCK_CHUNK_CODEC_H_
