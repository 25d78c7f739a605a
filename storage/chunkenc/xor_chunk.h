// Gorilla XOR chunks: delta-of-delta millisecond timestamps and XOR'd float
// values, bit-compatible with Prometheus's XOR chunk (docs/format/chunks.md).
//
//   std::string chunk;
//   XorAppender app;
//   app.Reset(&chunk);
//   app.Append(&chunk, 1000, 1.0);
//   app.Append(&chunk, 2000, 1.0);
//
//   XorIterator it(chunk);
//   while (it.Next()) use(it.t(), it.v());
//   RETURN_IF_ERROR(it.status());  // DataLoss on malformed bytes
//
// Neither type allocates or makes a virtual call per sample.
#ifndef PROMLET_STORAGE_CHUNKENC_XOR_CHUNK_H_
#define PROMLET_STORAGE_CHUNKENC_XOR_CHUNK_H_

#include <bit>
#include <cstdint>
#include <string_view>

#include "absl/base/optimization.h"
#include "absl/status/status.h"
#include "storage/chunkenc/bit_stream.h"

namespace promlet::storage::chunkenc {

inline constexpr size_t kXorHeaderBytes = 2;  // big-endian uint16 num_samples
inline constexpr int kXorMaxSamples = 65535;

// Number of samples recorded in a chunk's header; 0 when it is too short.
inline int XorNumSamples(std::string_view chunk) {
  if (chunk.size() < kXorHeaderBytes) return 0;
  return (static_cast<uint8_t>(chunk[0]) << 8) | static_cast<uint8_t>(chunk[1]);
}

// Encoder state for one chunk; the bytes live in a caller's buffer passed to
// every call (any type with data()/size()/push_back(char)/clear()). 32 bytes,
// so the head can keep one per series. Thread-compatible.
class XorAppender {
 public:
  // Starts an empty chunk in *buf (cleared first).
  template <typename Buf>
  void Reset(Buf* buf) {
    buf->clear();
    buf->push_back('\0');
    buf->push_back('\0');
    *this = XorAppender();
  }

  // Appends (t, v). REQUIRES: t >= the previous t, num_samples() <
  // kXorMaxSamples, and *buf is the buffer passed to Reset()/earlier calls.
  template <typename Buf>
  void Append(Buf* buf, int64_t t, double v);

  int num_samples() const { return num_; }
  int64_t last_t() const { return t_; }
  double last_v() const { return std::bit_cast<double>(v_); }

 private:
  template <typename Buf>
  void WriteValue(Buf* buf, uint64_t v);

  int64_t t_ = 0;
  int64_t t_delta_ = 0;
  uint64_t v_ = 0;
  uint16_t num_ = 0;
  uint8_t leading_ = 0xff;  // 0xff: no window yet
  uint8_t trailing_ = 0;
  uint8_t free_bits_ = 0;   // unused low bits of the buffer's last byte
};

// Decodes a chunk. Reusable: Reset() to another chunk without allocating.
// Sticky error: Next()/Seek() return false on error, status() says DataLoss.
// The bytes must outlive the iterator's use. Thread-compatible.
class XorIterator {
 public:
  XorIterator() = default;
  explicit XorIterator(std::string_view chunk) { Reset(chunk); }

  void Reset(std::string_view chunk);

  // Advances to the next sample; false at the end or on error.
  bool Next() {
    if (ABSL_PREDICT_FALSE(read_ >= total_ || !status_ok_)) return false;
    return Decode();
  }
  // Advances to the first sample with t >= t_ms; stays if the current one
  // already qualifies. False when there is none (or on error).
  bool Seek(int64_t t_ms) {
    if (read_ > 0 && t_ >= t_ms && status_ok_) return true;
    while (Next()) {
      if (t_ >= t_ms) return true;
    }
    return false;
  }

  // REQUIRES: the last Next()/Seek() returned true.
  int64_t t() const { return t_; }
  double v() const { return std::bit_cast<double>(v_); }

  int num_samples() const { return total_; }
  absl::Status status() const;

 private:
  bool Decode();
  bool DecodeValue();
  bool Fail() {
    status_ok_ = false;
    return false;
  }

  BitReader r_;
  int64_t t_ = 0;
  int64_t t_delta_ = 0;
  uint64_t v_ = 0;
  int total_ = 0;
  int read_ = 0;
  uint8_t leading_ = 0;
  uint8_t trailing_ = 0;
  bool status_ok_ = true;
};

// Decodes every sample into callbacks; used by tools and tests.
// Returns DataLoss on malformed bytes.
template <typename F>
absl::Status ForEachXorSample(std::string_view chunk, F&& f) {
  XorIterator it(chunk);
  while (it.Next()) f(it.t(), it.v());
  return it.status();
}

// ---- implementation (templates) ----

namespace internal {
inline bool FitsBits(int64_t x, int nbits) {
  return -((int64_t{1} << (nbits - 1)) - 1) <= x && x <= (int64_t{1} << (nbits - 1));
}
template <typename Buf>
inline void WriteVarint(Buf* buf, uint8_t* free_bits, uint64_t v) {
  while (v >= 0x80) {
    WriteByte(buf, free_bits, static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  WriteByte(buf, free_bits, static_cast<uint8_t>(v));
}
}  // namespace internal

template <typename Buf>
void XorAppender::Append(Buf* buf, int64_t t, double v) {
  const uint64_t vbits = std::bit_cast<uint64_t>(v);
  if (num_ == 0) {
    const uint64_t zz = (static_cast<uint64_t>(t) << 1) ^ static_cast<uint64_t>(t >> 63);
    internal::WriteVarint(buf, &free_bits_, zz);
    WriteBits(buf, &free_bits_, vbits, 64);
  } else if (num_ == 1) {
    // Differences wrap like the decoder's, so even extreme timestamps
    // round-trip without signed overflow.
    t_delta_ = static_cast<int64_t>(static_cast<uint64_t>(t) - static_cast<uint64_t>(t_));
    internal::WriteVarint(buf, &free_bits_, static_cast<uint64_t>(t_delta_));
    WriteValue(buf, vbits);
  } else {
    const int64_t delta = static_cast<int64_t>(static_cast<uint64_t>(t) - static_cast<uint64_t>(t_));
    const int64_t dod =
        static_cast<int64_t>(static_cast<uint64_t>(delta) - static_cast<uint64_t>(t_delta_));
    // Each code and its payload in one WriteBits call (WriteBits keeps
    // only the low nbits of the value).
    const uint64_t udod = static_cast<uint64_t>(dod);
    if (dod == 0) {
      WriteBits(buf, &free_bits_, 0, 1);
    } else if (internal::FitsBits(dod, 14)) {
      WriteBits(buf, &free_bits_, (uint64_t{0b10} << 14) | (udod & ((uint64_t{1} << 14) - 1)), 16);
    } else if (internal::FitsBits(dod, 17)) {
      WriteBits(buf, &free_bits_, (uint64_t{0b110} << 17) | (udod & ((uint64_t{1} << 17) - 1)), 20);
    } else if (internal::FitsBits(dod, 20)) {
      WriteBits(buf, &free_bits_, (uint64_t{0b1110} << 20) | (udod & ((uint64_t{1} << 20) - 1)), 24);
    } else {
      WriteBits(buf, &free_bits_, 0b1111, 4);
      WriteBits(buf, &free_bits_, static_cast<uint64_t>(dod), 64);
    }
    t_delta_ = delta;
    WriteValue(buf, vbits);
  }
  t_ = t;
  v_ = vbits;
  ++num_;
  buf->data()[0] = static_cast<char>(num_ >> 8);
  buf->data()[1] = static_cast<char>(num_ & 0xff);
}

template <typename Buf>
void XorAppender::WriteValue(Buf* buf, uint64_t vbits) {
  const uint64_t x = vbits ^ v_;
  if (x == 0) {
    WriteBits(buf, &free_bits_, 0, 1);
    return;
  }
  int leading = std::countl_zero(x);
  const int trailing = std::countr_zero(x);
  if (leading >= 32) leading = 31;  // 5-bit field
  // The control bits and the meaningful bits in one WriteBits call where
  // they fit in 64 (x >> trailing has at most sig bits).
  if (leading_ != 0xff && leading >= leading_ && trailing >= trailing_) {
    const int sig = 64 - leading_ - trailing_;
    if (sig <= 62) {
      WriteBits(buf, &free_bits_, (uint64_t{0b10} << sig) | (x >> trailing_), 2 + sig);
    } else {
      WriteBits(buf, &free_bits_, 0b10, 2);
      WriteBits(buf, &free_bits_, x >> trailing_, sig);
    }
    return;
  }
  leading_ = static_cast<uint8_t>(leading);
  trailing_ = static_cast<uint8_t>(trailing);
  const int sig = 64 - leading - trailing;
  // 0b11, 5 bits of leading zeros, 6 bits of length (64 -> 0).
  const uint64_t control = (uint64_t{0b11} << 11) | (static_cast<uint64_t>(leading) << 6) |
                           static_cast<uint64_t>(sig & 63);
  if (sig <= 51) {
    WriteBits(buf, &free_bits_, (control << sig) | (x >> trailing), 13 + sig);
  } else {
    WriteBits(buf, &free_bits_, control, 13);
    WriteBits(buf, &free_bits_, x >> trailing, sig);
  }
}

}  // namespace promlet::storage::chunkenc

#endif  // PROMLET_STORAGE_CHUNKENC_XOR_CHUNK_H_
