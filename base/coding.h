// Little-endian fixed-width and varint coding. Encoders append to a caller's
// buffer (no allocation when it has capacity); decoders are bounded by an end
// pointer and report truncation instead of reading past it.
#ifndef PROMLET_BASE_CODING_H_
#define PROMLET_BASE_CODING_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace promlet::base {

inline void PutFixed32(std::string* dst, uint32_t v) {
  char buf[4];
  std::memcpy(buf, &v, 4);  // x86-64 and aarch64 are little-endian.
  dst->append(buf, 4);
}
inline void PutFixed64(std::string* dst, uint64_t v) {
  char buf[8];
  std::memcpy(buf, &v, 8);
  dst->append(buf, 8);
}
inline uint32_t DecodeFixed32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint64_t DecodeFixed64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline void EncodeFixed32(char* p, uint32_t v) { std::memcpy(p, &v, 4); }
inline void EncodeFixed64(char* p, uint64_t v) { std::memcpy(p, &v, 8); }

inline void PutVarint64(std::string* dst, uint64_t v) {
  char buf[10];
  int n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  dst->append(buf, n);
}
inline void PutVarint32(std::string* dst, uint32_t v) { PutVarint64(dst, v); }

// Zig-zag maps signed to unsigned so small magnitudes stay short.
inline uint64_t ZigZagEncode(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t ZigZagDecode(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}
inline void PutVarsint64(std::string* dst, int64_t v) {
  PutVarint64(dst, ZigZagEncode(v));
}

// Returns the byte after the varint, or nullptr if [p, limit) ends first or
// the varint is longer than 10 bytes.
inline const char* GetVarint64Ptr(const char* p, const char* limit,
                                  uint64_t* value) {
  uint64_t result = 0;
  for (uint32_t shift = 0; shift <= 63 && p < limit; shift += 7) {
    uint64_t byte = static_cast<unsigned char>(*p++);
    if (byte & 0x80) {
      result |= (byte & 0x7f) << shift;
    } else {
      result |= byte << shift;
      *value = result;
      return p;
    }
  }
  return nullptr;
}

// Consumes a varint from the front of *in; false if malformed or truncated.
inline bool GetVarint64(std::string_view* in, uint64_t* value) {
  const char* p = GetVarint64Ptr(in->data(), in->data() + in->size(), value);
  if (p == nullptr) return false;
  in->remove_prefix(p - in->data());
  return true;
}
inline bool GetVarsint64(std::string_view* in, int64_t* value) {
  uint64_t u;
  if (!GetVarint64(in, &u)) return false;
  *value = ZigZagDecode(u);
  return true;
}
inline bool GetFixed32(std::string_view* in, uint32_t* value) {
  if (in->size() < 4) return false;
  *value = DecodeFixed32(in->data());
  in->remove_prefix(4);
  return true;
}
inline bool GetFixed64(std::string_view* in, uint64_t* value) {
  if (in->size() < 8) return false;
  *value = DecodeFixed64(in->data());
  in->remove_prefix(8);
  return true;
}

// Length-prefixed (varint) byte strings.
inline void PutLengthPrefixed(std::string* dst, std::string_view s) {
  PutVarint64(dst, s.size());
  dst->append(s.data(), s.size());
}
inline bool GetLengthPrefixed(std::string_view* in, std::string_view* out) {
  uint64_t n;
  if (!GetVarint64(in, &n) || n > in->size()) return false;
  *out = in->substr(0, n);
  in->remove_prefix(n);
  return true;
}

}  // namespace promlet::base

#endif  // PROMLET_BASE_CODING_H_
