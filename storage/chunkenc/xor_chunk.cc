#include "storage/chunkenc/xor_chunk.h"

namespace promlet::storage::chunkenc {

void XorIterator::Reset(std::string_view chunk) {
  const auto* begin = reinterpret_cast<const uint8_t*>(chunk.data());
  const auto* end = begin + chunk.size();
  status_ok_ = true;
  read_ = 0;
  t_ = 0;
  t_delta_ = 0;
  v_ = 0;
  leading_ = 0;
  trailing_ = 0;
  if (chunk.size() < kXorHeaderBytes) {
    // An empty view is an empty chunk; one lone byte is a torn header.
    total_ = 0;
    status_ok_ = chunk.empty();
    r_.Reset(end, end);
    return;
  }
  total_ = XorNumSamples(chunk);
  r_.Reset(begin + kXorHeaderBytes, end);
}

absl::Status XorIterator::status() const {
  if (status_ok_) return absl::OkStatus();
  return absl::DataLossError("xor chunk: malformed or truncated bit stream");
}

bool XorIterator::Decode() {
  if (read_ == 0) {
    uint64_t zz = 0;
    int shift = 0;
    for (;; shift += 7) {
      uint8_t b;
      if (ABSL_PREDICT_FALSE(shift > 63 || !r_.ReadByte(&b))) return Fail();
      zz |= uint64_t{b & 0x7fu} << shift;
      if ((b & 0x80) == 0) break;
    }
    t_ = static_cast<int64_t>(zz >> 1) ^ -static_cast<int64_t>(zz & 1);
    if (ABSL_PREDICT_FALSE(!r_.ReadBits(64, &v_))) return Fail();
    ++read_;
    return true;
  }
  if (read_ == 1) {
    uint64_t d = 0;
    int shift = 0;
    for (;; shift += 7) {
      uint8_t b;
      if (ABSL_PREDICT_FALSE(shift > 63 || !r_.ReadByte(&b))) return Fail();
      d |= uint64_t{b & 0x7fu} << shift;
      if ((b & 0x80) == 0) break;
    }
    // Wrapping (unsigned) arithmetic: corrupt input may overflow int64.
    t_delta_ = static_cast<int64_t>(d);
    t_ = static_cast<int64_t>(static_cast<uint64_t>(t_) + d);
  } else {
    const int ones = r_.ReadOnes(4);
    if (ABSL_PREDICT_FALSE(ones < 0)) return Fail();
    if (ones > 0) {
      static constexpr int kWidth[5] = {0, 14, 17, 20, 64};
      const int n = kWidth[ones];
      uint64_t bits;
      if (ABSL_PREDICT_FALSE(!r_.ReadBits(n, &bits))) return Fail();
      int64_t dod = static_cast<int64_t>(bits);
      if (n < 64 && bits > (uint64_t{1} << (n - 1))) dod -= int64_t{1} << n;
      t_delta_ = static_cast<int64_t>(static_cast<uint64_t>(t_delta_) + static_cast<uint64_t>(dod));
    }
    t_ = static_cast<int64_t>(static_cast<uint64_t>(t_) + static_cast<uint64_t>(t_delta_));
  }
  if (ABSL_PREDICT_FALSE(!DecodeValue())) return Fail();
  ++read_;
  return true;
}

bool XorIterator::DecodeValue() {
  bool bit;
  if (!r_.ReadBit(&bit)) return false;
  if (!bit) return true;  // same value
  if (!r_.ReadBit(&bit)) return false;
  if (bit) {
    uint64_t leading, sig;
    if (!r_.ReadBits(5, &leading) || !r_.ReadBits(6, &sig)) return false;
    if (sig == 0) sig = 64;
    if (leading + sig > 64) return false;
    leading_ = static_cast<uint8_t>(leading);
    trailing_ = static_cast<uint8_t>(64 - leading - sig);
  }
  const int sig = 64 - leading_ - trailing_;
  uint64_t x;
  if (!r_.ReadBits(sig, &x)) return false;
  v_ ^= x << trailing_;
  return true;
}

}  // namespace promlet::storage::chunkenc
