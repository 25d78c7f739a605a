// `promlet tsdb analyze [<data-dir>] [<block-id>]`: block statistics and
// cardinality, like `promtool tsdb analyze`: series, samples, chunks, bytes
// per sample, the top metric names by series count, label names by value
// count and label pairs by series count. Over every block unless one is named.
#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "base/strings.h"
#include "storage/block/block_reader.h"
#include "storage/block/compactor.h"
#include "tools/commands.h"

namespace promlet::tools {
namespace {

namespace block = storage::block;

// Go's time.Duration String for whole seconds: 2h0m0s.
std::string GoDuration(int64_t ms) {
  int64_t s = ms / 1000;
  if (s < 60) return absl::StrCat(s, "s");
  if (s < 3600) return absl::StrCat(s / 60, "m", s % 60, "s");
  return absl::StrCat(s / 3600, "h", (s % 3600) / 60, "m", s % 60, "s");
}

using Counts = absl::flat_hash_map<std::string, uint64_t>;

void PrintTop(const char* title, const Counts& counts, int limit) {
  std::vector<std::pair<std::string, uint64_t>> v(counts.begin(), counts.end());
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::printf("\n%s:\n", title);
  for (int i = 0; i < limit && i < static_cast<int>(v.size()); ++i) {
    std::printf("%llu %s\n", static_cast<unsigned long long>(v[i].second), v[i].first.c_str());
  }
}

int RunAnalyze(const std::string& dir, const std::string& only, int limit) {
  auto blocks = block::OpenBlocks(dir);
  if (!blocks.ok()) {
    std::fprintf(stderr, "tsdb analyze: %s\n", std::string(blocks.status().message()).c_str());
    return 1;
  }
  uint64_t samples = 0, chunks = 0, bytes = 0, block_series = 0;
  absl::flat_hash_set<std::string> seen;
  Counts per_metric, per_pair;
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>> values_per_name;
  int n = 0;
  for (const auto& b : *blocks) {
    const block::BlockMeta& m = b->meta();
    if (!only.empty() && m.ulid != only) continue;
    ++n;
    samples += m.stats.num_samples;
    chunks += m.stats.num_chunks;
    bytes += b->size_bytes();
    block_series += m.stats.num_series;
    std::printf("Block ID: %s\nDuration: %s\nSeries: %llu\nSamples: %llu\nChunks: %llu\nBytes: %llu (%.3f per sample)\n\n",
                m.ulid.c_str(), GoDuration(m.max_time_ms - m.min_time_ms).c_str(),
                static_cast<unsigned long long>(m.stats.num_series),
                static_cast<unsigned long long>(m.stats.num_samples),
                static_cast<unsigned long long>(m.stats.num_chunks),
                static_cast<unsigned long long>(b->size_bytes()),
                m.stats.num_samples ? static_cast<double>(b->size_bytes()) / m.stats.num_samples : 0.0);
    storage::Labels labels;
    std::vector<block::ChunkMeta> metas;
    for (uint32_t id = 0; id < b->index().num_series(); ++id) {
      b->index().Series(id, &labels, &metas);
      if (!seen.insert(std::string(labels.bytes())).second) continue;
      ++per_metric[std::string(labels.MetricName())];
      for (storage::Label l : labels) {
        values_per_name[std::string(l.name)].insert(std::string(l.value));
        ++per_pair[absl::StrCat(base::Absl(l.name), "=", base::Absl(l.value))];
      }
    }
  }
  if (n == 0) {
    std::fprintf(stderr, "tsdb analyze: no blocks in %s%s\n", dir.c_str(),
                 only.empty() ? "" : (" with id " + only).c_str());
    return 1;
  }
  uint64_t postings_entries = 0;
  for (const auto& [pair, c] : per_pair) postings_entries += c;
  std::printf("Total over %d block(s):\nSeries: %zu (%llu summed over blocks)\nSamples: %llu\nChunks: %llu\n"
              "Bytes: %llu\nBytes per sample: %.3f\nLabel names: %zu\nPostings (unique label pairs): %zu\n"
              "Postings entries (total label pairs): %llu\n",
              n, seen.size(), static_cast<unsigned long long>(block_series),
              static_cast<unsigned long long>(samples), static_cast<unsigned long long>(chunks),
              static_cast<unsigned long long>(bytes), samples ? static_cast<double>(bytes) / samples : 0.0,
              values_per_name.size(), per_pair.size(), static_cast<unsigned long long>(postings_entries));
  Counts value_counts;
  for (const auto& [name, vals] : values_per_name) value_counts[name] = vals.size();
  PrintTop("Highest cardinality metric names (series)", per_metric, limit);
  PrintTop("Highest cardinality labels (values)", value_counts, limit);
  PrintTop("Most common label pairs (series)", per_pair, limit);
  return 0;
}

}  // namespace

void RegisterTsdbCommand(CLI::App* app, CommandAction* action) {
  CLI::App* tsdb = app->add_subcommand("tsdb", "Inspect the on-disk time-series database");
  tsdb->require_subcommand(1);
  CLI::App* analyze = tsdb->add_subcommand("analyze", "Analyze churn, label pair cardinality and compaction efficiency");
  auto dir = std::make_shared<std::string>("data");
  auto id = std::make_shared<std::string>();
  auto limit = std::make_shared<int>(10);
  analyze->add_option("data-dir", *dir, "Data directory (default data)");
  analyze->add_option("block-id", *id, "Only this block");
  analyze->add_option("--limit", *limit, "How many items to show in each list (default 10)");
  analyze->callback([action, dir, id, limit] {
    *action = [dir, id, limit] { return RunAnalyze(*dir, *id, *limit); };
  });
}

}  // namespace promlet::tools
