// Bit-level writer and reader for the Gorilla chunk codec. Bits are packed
// most-significant first within each byte (docs/format/chunks.md).
//
// The writer appends to any byte buffer with data()/size()/push_back(char)
// (std::string, or the head's compact chunk buffer, whose ExtendWord lets it
// store whole words) and keeps only the number
// of free bits left in the last byte, so an encoder's state stays a few bytes.
// The reader is bounded by an end pointer and never reads past it.
#ifndef PROMLET_STORAGE_CHUNKENC_BIT_STREAM_H_
#define PROMLET_STORAGE_CHUNKENC_BIT_STREAM_H_

#include <cstdint>
#include <cstring>

#include "absl/base/optimization.h"

namespace promlet::storage::chunkenc {

// Appends the low `nbits` bits of `v` (MSB first). `free_bits` is the number
// of unused low bits in the buffer's last byte (0 when the buffer ends on a
// byte boundary); it is updated. REQUIRES: 0 <= nbits <= 64.
template <typename Buf>
inline void WriteBits(Buf* buf, uint8_t* free_bits, uint64_t v, int nbits) {
  if (nbits <= 0) return;
  if (nbits < 64) v &= (uint64_t{1} << nbits) - 1;
  const int free = *free_bits;
  if (nbits <= free) {  // fits in the last byte (most 1-3 bit codes)
    char* last = buf->data() + buf->size() - 1;
    *last = static_cast<char>(static_cast<uint8_t>(*last) |
                              static_cast<uint8_t>(v << (free - nbits)));
    *free_bits = static_cast<uint8_t>(free - nbits);
    return;
  }
  // Top up the last byte, then whole bytes, then a partial one: a branch
  // per byte rather than per run of bits.
  if (free > 0) {
    nbits -= free;
    char* last = buf->data() + buf->size() - 1;
    *last = static_cast<char>(static_cast<uint8_t>(*last) | static_cast<uint8_t>(v >> nbits));
  }
  if constexpr (requires { buf->ExtendWord(size_t{1}); }) {
    // The remaining 1..64 bits as one big-endian word store: one capacity
    // check and one size update instead of a push_back per byte (~40
    // instructions a sample).
    const int nbytes = (nbits + 7) >> 3;
    char* out = buf->ExtendWord(static_cast<size_t>(nbytes));
    const uint64_t word = __builtin_bswap64(v << (64 - nbits));
    std::memcpy(out, &word, 8);
    *free_bits = static_cast<uint8_t>(8 * nbytes - nbits);
    return;
  }
  while (nbits >= 8) {
    nbits -= 8;
    buf->push_back(static_cast<char>(static_cast<uint8_t>(v >> nbits)));
  }
  if (nbits > 0) {
    buf->push_back(static_cast<char>(static_cast<uint8_t>(v << (8 - nbits))));
    *free_bits = static_cast<uint8_t>(8 - nbits);
  } else {
    *free_bits = 0;
  }
}

template <typename Buf>
inline void WriteBit(Buf* buf, uint8_t* free_bits, bool bit) {
  WriteBits(buf, free_bits, bit ? 1 : 0, 1);
}

// Writes `v` as whole bytes through the bit stream (not byte aligned).
template <typename Buf>
inline void WriteByte(Buf* buf, uint8_t* free_bits, uint8_t v) {
  WriteBits(buf, free_bits, v, 8);
}

// Thread-compatible; trivially copyable, so an iterator can be reset cheaply.
class BitReader {
 public:
  BitReader() = default;
  BitReader(const uint8_t* begin, const uint8_t* end) { Reset(begin, end); }

  void Reset(const uint8_t* begin, const uint8_t* end) {
    p_ = begin;
    end_ = end;
    buf_ = 0;
    valid_ = 0;
  }

  // Reads `nbits` (1..64) into *out; false when the input ends first.
  bool ReadBits(int nbits, uint64_t* out) {
    if (nbits > 56) {
      uint64_t hi, lo;
      if (!ReadBits(32, &hi) || !ReadBits(nbits - 32, &lo)) return false;
      *out = (hi << (nbits - 32)) | lo;
      return true;
    }
    if (valid_ < nbits) {
      Refill();
      if (ABSL_PREDICT_FALSE(valid_ < nbits)) return false;
    }
    *out = buf_ >> (64 - nbits);
    buf_ <<= nbits;
    valid_ -= nbits;
    return true;
  }

  bool ReadBit(bool* out) {
    if (valid_ == 0) {
      Refill();
      if (ABSL_PREDICT_FALSE(valid_ == 0)) return false;
    }
    *out = (buf_ >> 63) != 0;
    buf_ <<= 1;
    --valid_;
    return true;
  }

  bool ReadByte(uint8_t* out) {
    uint64_t v;
    if (!ReadBits(8, &v)) return false;
    *out = static_cast<uint8_t>(v);
    return true;
  }

  // Reads up to `max` bits (<= 8) while they are 1, stopping after the first
  // 0. Returns the number of 1 bits seen, or -1 when the input ends first.
  int ReadOnes(int max) {
    if (valid_ < max) Refill();
    int n = 0;
    while (n < max) {
      if (ABSL_PREDICT_FALSE(valid_ == 0)) return -1;
      const bool bit = (buf_ >> 63) != 0;
      buf_ <<= 1;
      --valid_;
      if (!bit) break;
      ++n;
    }
    return n;
  }

 private:
  // Tops up buf_ to at least 57 valid bits when the input has them.
  void Refill() {
    if (end_ - p_ >= 8) {
      uint64_t x;
      std::memcpy(&x, p_, 8);
      x = __builtin_bswap64(x);  // big-endian bit order
      // valid_ < 64 here; bits below the whole bytes taken are the same data
      // the next refill brings in again, so or-ing them twice is harmless.
      buf_ |= valid_ == 0 ? x : (x >> valid_);
      const int bytes = (63 - valid_) >> 3;
      p_ += bytes;
      valid_ += bytes * 8;
      return;
    }
    while (valid_ <= 56 && p_ < end_) {
      buf_ |= uint64_t{*p_++} << (56 - valid_);
      valid_ += 8;
    }
  }

  const uint8_t* p_ = nullptr;
  const uint8_t* end_ = nullptr;
  uint64_t buf_ = 0;  // unread bits, left-aligned
  int valid_ = 0;     // number of unread bits in buf_
};

}  // namespace promlet::storage::chunkenc

#endif  // PROMLET_STORAGE_CHUNKENC_BIT_STREAM_H_
