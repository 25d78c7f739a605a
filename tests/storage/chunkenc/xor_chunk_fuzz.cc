// libFuzzer target: the XOR chunk decoder must never crash or read out of
// bounds, whatever the bytes; a well-formed re-encoding must round-trip.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "storage/chunkenc/xor_chunk.h"

using promlet::storage::chunkenc::XorAppender;
using promlet::storage::chunkenc::XorIterator;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Copy to an exact-size heap buffer so ASan catches any over-read.
  std::vector<char> bytes(data, data + size);
  XorIterator it(std::string_view(bytes.data(), bytes.size()));
  std::vector<std::pair<int64_t, uint64_t>> got;
  while (it.Next()) {
    if (!got.empty() && it.t() < got.back().first) return 0;  // not re-encodable
    got.emplace_back(it.t(), std::bit_cast<uint64_t>(it.v()));
    it.Seek(it.t());
  }
  if (!it.status().ok()) return 0;
  std::string again;
  XorAppender app;
  app.Reset(&again);
  for (auto [t, v] : got) app.Append(&again, t, std::bit_cast<double>(v));
  XorIterator it2(again);
  for (auto [t, v] : got) {
    if (!it2.Next() || it2.t() != t || std::bit_cast<uint64_t>(it2.v()) != v) std::abort();
  }
  if (it2.Next() || !it2.status().ok()) std::abort();
  return 0;
}
