// Backfill: collects samples of many series (from a file import, in any
// order) and writes them as blocks aligned to the block range, like
// `promtool tsdb create-blocks-from`. Series are keyed by the raw bytes the
// parser saw, so a repeated series costs one hash lookup and no label
// decoding. Nothing is written until WriteBlocks(), so bad input found while
// collecting leaves no block behind.
//
//   Backfill bf;
//   uint32_t id = bf.Find(key).value_or(bf.AddSeries(key, labels));
//   bf.Append(id, t_ms, v);
//   ASSIGN_OR_RETURN(auto metas, bf.WriteBlocks(data_dir, kDefaultBlockRangeMs));
#ifndef PROMLET_STORAGE_BLOCK_BACKFILL_H_
#define PROMLET_STORAGE_BLOCK_BACKFILL_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "base/strings.h"
#include "storage/api/querier.h"
#include "storage/block/meta.h"

namespace promlet::storage::block {

// Thread-compatible.
class Backfill {
 public:
  static constexpr uint32_t kNoSeries = UINT32_MAX;

  std::optional<uint32_t> Find(std::string_view key) const {
    auto it = by_key_.find(key);
    if (it == by_key_.end()) return std::nullopt;
    return it->second;
  }
  // Find() that first tries the series which followed series `previous`
  // (or kNoSeries) last time, and remembers what follows now. Inputs repeat
  // their order of series (a histogram's lines at each timestamp, a
  // target's scrape), so most lines cost one compare of the key bytes
  // instead of hashing them.
  std::optional<uint32_t> FindAfter(uint32_t previous, std::string_view key) {
    if (previous >= series_.size()) return Find(key);
    uint32_t& next = series_[previous].next;
    if (next != kNoSeries && series_[next].key.data() != nullptr && series_[next].key == key) {
      return next;
    }
    std::optional<uint32_t> id = Find(key);
    if (id) next = *id;
    return id;
  }
  // Registers `key` for `labels`; two keys with equal labels (labels
  // written in another order) share one series.
  uint32_t AddSeries(std::string_view key, Labels labels);
  void Append(uint32_t id, int64_t t_ms, double value) {
    Series& s = series_[id];
    if (!s.samples.empty() && t_ms < s.samples.back().t_ms) s.sorted = false;
    s.samples.push_back({t_ms, value});
    ++num_samples_;
  }

  // Moves every series and sample of `other` into this one, after this
  // one's samples: merging the collections of consecutive parts of an input,
  // in input order, gives what collecting the whole input would.
  void MergeFrom(Backfill&& other);

  size_t num_series() const { return series_.size(); }
  uint64_t num_samples() const { return num_samples_; }

  // Writes one block per aligned range that has samples, several at once
  // (up to four per core, see backfill.cc). Samples of a series are sorted
  // by time; of repeated timestamps the first is kept. On error the blocks written by
  // this call are removed again. progress(blocks_done, blocks_total) is
  // called after each block, serialised.
  absl::StatusOr<std::vector<BlockMeta>> WriteBlocks(
      const std::string& dir, int64_t block_range_ms,
      const std::function<void(size_t, size_t)>& progress = nullptr);

 private:
  struct Series {
    Labels labels;
    std::vector<Sample> samples;
    bool sorted = true;
    std::string_view key;  // a key that finds it (in keys_), or null
    uint32_t next = kNoSeries;  // the series that followed it last (FindAfter)
  };
  // Owns the bytes of every key, in blocks that never move.
  class KeyStore {
   public:
    std::string_view Copy(std::string_view key);
    void Adopt(KeyStore&& other);

   private:
    std::vector<std::unique_ptr<char[]>> blocks_;
    char* free_ = nullptr;
    size_t left_ = 0;
  };
  KeyStore keys_;
  absl::flat_hash_map<std::string_view, uint32_t, base::StringHash, base::StringEq> by_key_;
  absl::flat_hash_map<Labels, uint32_t> by_labels_;
  std::vector<Series> series_;
  uint64_t num_samples_ = 0;
};

}  // namespace promlet::storage::block

#endif  // PROMLET_STORAGE_BLOCK_BACKFILL_H_
