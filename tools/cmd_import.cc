// `promlet import openmetrics <file> [<data-dir>]`: backfills blocks from an
// OpenMetrics file with timestamps, the input `promtool tsdb
// create-blocks-from openmetrics` takes. The whole file is parsed before any
// block is written, so bad input (reported with line and column) leaves
// nothing behind; blocks are aligned to the 2 h block range like promtool.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "scrape/textparse/parser.h"
#include "storage/block/backfill.h"
#include "storage/block/compactor.h"
#include "storage/block/file_util.h"
#include "tools/commands.h"

namespace promlet::tools {
namespace {

namespace block = storage::block;
namespace tp = scrape::textparse;

// "line N, column M" of a position in the body (error path only).
std::string Position(std::string_view body, const char* at) {
  size_t off = static_cast<size_t>(at - body.data());
  size_t line = 1, col_start = 0;
  for (size_t i = 0; i < off; ++i) {
    if (body[i] == '\n') {
      ++line;
      col_start = i + 1;
    }
  }
  return absl::StrCat("line ", line, ", column ", off - col_start + 1);
}

class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled) {}
  void Show(std::string_view what, double fraction, std::string_view extra) {
    if (!enabled_) return;
    int filled = static_cast<int>(fraction * 30);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(30, '.');
    std::fprintf(stderr, "\r%-8.*s [%s] %3d%% %.*s   ", static_cast<int>(what.size()), what.data(),
                 bar.c_str(), static_cast<int>(fraction * 100), static_cast<int>(extra.size()),
                 extra.data());
    std::fflush(stderr);
  }
  void Done() {
    if (enabled_) std::fputc('\n', stderr);
  }

 private:
  bool enabled_;
};

absl::Status Parse(std::string_view body, block::Backfill* bf, Progress* progress) {
  tp::Parser p(tp::ParserOptions{.format = tp::Format::kOpenMetrics});
  p.Reset(body);
  storage::LabelsBuilder builder;
  uint64_t next_report = 1 << 20;
  for (;;) {
    switch (p.Next()) {
      case tp::Entry::kSeries: {
        std::string_view key = p.series();
        if (!p.has_timestamp()) {
          return absl::InvalidArgumentError(
              absl::StrCat(Position(body, key.data()), ": sample without timestamp"));
        }
        std::optional<uint32_t> id = bf->Find(key);
        if (!id) {
          p.LabelsTo(&builder);
          storage::Labels labels = builder.Build();
          if (labels.MetricName().empty()) {
            return absl::InvalidArgumentError(
                absl::StrCat(Position(body, key.data()), ": sample without metric name"));
          }
          id = bf->AddSeries(key, std::move(labels));
        }
        bf->Append(*id, p.timestamp_ms(), p.value());
        if (bf->num_samples() >= next_report) {
          next_report += 1 << 20;
          double frac = static_cast<double>(key.data() - body.data()) / static_cast<double>(body.size());
          progress->Show("parse", frac, absl::StrCat(bf->num_samples() / 1000000, "M samples"));
        }
        break;
      }
      case tp::Entry::kEof:
        return absl::OkStatus();
      case tp::Entry::kError:
        return p.status();
      default:
        break;
    }
  }
}

int RunImport(const std::string& file, const std::string& data_dir, int64_t block_ms) {
  auto t0 = std::chrono::steady_clock::now();
  auto mapped = block::MappedFile::Open(file);
  if (!mapped.ok()) {
    std::fprintf(stderr, "import: %s\n", std::string(mapped.status().message()).c_str());
    return 1;
  }
  Progress progress(::isatty(2) == 1);
  block::Backfill bf;
  absl::Status s = Parse((*mapped)->data(), &bf, &progress);
  if (!s.ok()) {
    progress.Done();
    std::fprintf(stderr, "import: %s: %s\n", file.c_str(), std::string(s.message()).c_str());
    return 1;
  }
  if (bf.num_samples() == 0) {
    progress.Done();
    std::fprintf(stderr, "import: %s: no samples\n", file.c_str());
    return 1;
  }
  s = block::MakeDir(data_dir);
  absl::StatusOr<std::vector<block::BlockMeta>> metas;
  if (s.ok()) {
    metas = bf.WriteBlocks(data_dir, block_ms, [&](size_t done, size_t total) {
      progress.Show("write", static_cast<double>(done) / static_cast<double>(total),
                    absl::StrCat(done, "/", total, " blocks"));
    });
    s = metas.status();
  }
  progress.Done();
  if (!s.ok()) {
    std::fprintf(stderr, "import: writing blocks to %s: %s\n", data_dir.c_str(),
                 std::string(s.message()).c_str());
    return 1;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("imported %llu samples of %zu series into %zu blocks in %.2fs (%.2fM samples/s)\n",
              static_cast<unsigned long long>(bf.num_samples()), bf.num_series(), metas->size(), secs,
              static_cast<double>(bf.num_samples()) / secs / 1e6);
  for (const auto& m : *metas) {
    std::printf("  block %s [%lld, %lld) %llu series %llu samples\n", m.ulid.c_str(),
                static_cast<long long>(m.min_time_ms), static_cast<long long>(m.max_time_ms),
                static_cast<unsigned long long>(m.stats.num_series),
                static_cast<unsigned long long>(m.stats.num_samples));
  }
  return 0;
}

}  // namespace

void RegisterImportCommand(CLI::App* app, CommandAction* action) {
  CLI::App* import = app->add_subcommand("import", "Import samples into blocks (backfill)");
  import->require_subcommand(1);
  CLI::App* om = import->add_subcommand(
      "openmetrics", "Write blocks from an OpenMetrics file with timestamps (like promtool tsdb "
                     "create-blocks-from openmetrics)");
  auto file = std::make_shared<std::string>();
  auto dir = std::make_shared<std::string>("data");
  auto hours = std::make_shared<int>(2);
  om->add_option("file", *file, "OpenMetrics input file")->required();
  om->add_option("data-dir", *dir, "Output data directory (default data)");
  om->add_option("--block-duration-hours", *hours, "Block range in hours (default 2)")
      ->check(CLI::Range(1, 24 * 31));
  om->callback([action, file, dir, hours] {
    *action = [file, dir, hours] { return RunImport(*file, *dir, int64_t{*hours} * 3600 * 1000); };
  });
}

}  // namespace promlet::tools
