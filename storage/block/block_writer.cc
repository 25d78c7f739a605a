#include "storage/block/block_writer.h"

#include <chrono>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/coding.h"
#include "base/status_macros.h"
#include "storage/block/block_format.h"
#include "storage/block/chunk_file.h"
#include "storage/block/file_util.h"
#include "storage/block/index.h"

namespace promlet::storage::block {
namespace {

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

absl::StatusOr<BlockMeta> WriteInto(base::Env* env, const std::string& tmp, SeriesSet* set,
                                    int64_t mint_ms, int64_t maxt_ms, BlockMeta meta) {
  RETURN_IF_ERROR(env->CreateDir(tmp));
  RETURN_IF_ERROR(env->CreateDir(tmp + "/" + kChunksDir));
  ASSIGN_OR_RETURN(std::unique_ptr<ChunkFileWriter> cw,
                   ChunkFileWriter::Create(env, tmp + "/" + kChunkFileName));
  std::vector<IndexSeries> index;
  int64_t ts[kMaxChunkSamples];
  double vs[kMaxChunkSamples];
  int64_t block_min = INT64_MAX, block_max = INT64_MIN;
  IndexSeries cur;
  std::string group;
  size_t n = 0;
  auto flush_chunk = [&]() -> absl::Status {
    if (n == 0) return absl::OkStatus();
    ASSIGN_OR_RETURN(uint64_t ts_ref, cw->AddTimestamps(ts, n));
    ASSIGN_OR_RETURN(uint64_t ref, cw->AddSeriesChunk(ts_ref, vs, n, group));
    cur.chunks.push_back({ts[0], ts[n - 1], ref});
    meta.stats.num_samples += n;
    ++meta.stats.num_chunks;
    block_min = std::min(block_min, ts[0]);
    block_max = std::max(block_max, ts[n - 1]);
    n = 0;
    return absl::OkStatus();
  };
  while (set->Next()) {
    const Series& s = set->At();
    if (!index.empty() && !(index.back().labels < s.labels())) {
      return absl::InvalidArgumentError(absl::StrCat("write block: series out of order or repeated: ",
                                                     s.labels().ToString()));
    }
    // Regression group: the labels without __name__, le and quantile.
    group.clear();
    for (Label l : s.labels()) {
      if (l.name == kMetricName || l.name == "le" || l.name == "quantile") continue;
      base::PutLengthPrefixed(&group, l.name);
      base::PutLengthPrefixed(&group, l.value);
    }
    std::unique_ptr<SeriesIterator> it = s.NewIterator();
    int64_t last = INT64_MIN;
    for (bool ok = it->Seek(mint_ms); ok; ok = it->Next()) {
      Sample smp = it->At();
      if (smp.t_ms >= maxt_ms) break;
      if (smp.t_ms <= last) continue;
      last = smp.t_ms;
      ts[n] = smp.t_ms;
      vs[n] = smp.value;
      if (++n == kMaxChunkSamples) RETURN_IF_ERROR(flush_chunk());
    }
    RETURN_IF_ERROR(it->status());
    RETURN_IF_ERROR(flush_chunk());
    if (!cur.chunks.empty()) {
      cur.labels = s.labels();
      index.push_back(std::move(cur));
      cur = IndexSeries();
    }
  }
  RETURN_IF_ERROR(set->status());
  RETURN_IF_ERROR(cw->Finish());
  meta.stats.num_series = index.size();
  if (index.empty()) return meta;
  // The block covers the requested range, or the samples' span when it was open-ended.
  meta.min_time_ms = mint_ms == INT64_MIN ? block_min : mint_ms;
  meta.max_time_ms = maxt_ms == INT64_MAX ? block_max + 1 : maxt_ms;
  RETURN_IF_ERROR(
      WriteFileSync(env, tmp + "/" + kIndexFileName, EncodeIndex(index, meta.min_time_ms)));
  RETURN_IF_ERROR(WriteMetaFile(tmp, meta, env));
  RETURN_IF_ERROR(env->SyncDir(tmp + "/" + kChunksDir));
  RETURN_IF_ERROR(env->SyncDir(tmp));
  return meta;
}

}  // namespace

absl::StatusOr<BlockMeta> WriteBlock(const std::string& dir, SeriesSet* set, int64_t mint_ms,
                                     int64_t maxt_ms, const WriteBlockOptions& options) {
  BlockMeta meta;
  meta.ulid = NewUlid(options.now_ms != 0 ? options.now_ms : WallMs());
  meta.compaction_level = options.compaction_level;
  meta.sources = options.sources.empty() ? std::vector<std::string>{meta.ulid} : options.sources;
  const std::string tmp = absl::StrCat(dir, "/", meta.ulid, kTmpSuffix);
  base::Env* env = options.env;
  absl::StatusOr<BlockMeta> written = WriteInto(env, tmp, set, mint_ms, maxt_ms, std::move(meta));
  if (!written.ok() || written->stats.num_series == 0) {
    env->RemoveDirRecursive(tmp).IgnoreError();
    if (written.ok()) written->ulid.clear();
    return written;
  }
  if (options.crash_before_rename_for_test) return absl::AbortedError("crash before rename (test)");
  absl::Status s = env->Rename(tmp, absl::StrCat(dir, "/", written->ulid));
  if (s.ok()) s = env->SyncDir(dir);
  if (!s.ok()) {
    env->RemoveDirRecursive(tmp).IgnoreError();
    return s;
  }
  return written;
}

absl::Status RemoveTmpDirs(const std::string& dir, base::Env* env) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(dir));
  for (const std::string& n : names) {
    if (absl::EndsWith(n, kTmpSuffix) || absl::EndsWith(n, kDeletedSuffix)) {
      RETURN_IF_ERROR(env->RemoveDirRecursive(dir + "/" + n));
    }
  }
  return absl::OkStatus();
}

}  // namespace promlet::storage::block
