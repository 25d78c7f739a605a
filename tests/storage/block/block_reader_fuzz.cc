// Fuzzes the index and chunk readers on arbitrary bytes: every input must
// give DataLoss or a readable block, never a crash. The first byte picks
// the target; for chunk files every series chunk ref reachable from the
// pages is decoded.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/coding.h"
#include "storage/block/block_format.h"
#include "storage/block/chunk_file.h"
#include "storage/block/index.h"

using namespace promlet::storage::block;  // NOLINT: fuzz entry point

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    auto r = IndexReader::Open(in, 0);
    if (!r.ok()) return 0;
    promlet::storage::Labels l;
    std::vector<ChunkMeta> chunks;
    for (uint32_t i = 0; i < r->num_series(); ++i) r->Series(i, &l, &chunks);
    std::vector<uint32_t> ids;
    for (const auto& n : r->names()) {
      for (const auto& v : n.values) r->AppendPostings(v, &ids);
    }
    return 0;
  }
  auto r = ChunkFileReader::Open(in);
  if (!r.ok()) return 0;
  (void)r->Verify();
  PageCache cache(&*r);
  std::string raw;
  std::vector<uint32_t> ends;
  size_t start;
  uint64_t off = kFileHeaderSize;
  static int64_t ts[kMaxChunkSamples];
  static double vs[kMaxChunkSamples];
  while (off < in.size()) {
    uint64_t next;
    if (!DecodePage(in, off, &raw, &ends, &start, &next).ok()) break;
    for (uint32_t e = 0; e < ends.size(); ++e) {
      size_t n;
      (void)cache.ReadSeriesChunk(MakeChunkRef(off, e), ts, vs, &n);
    }
    off = next;
  }
  return 0;
}
