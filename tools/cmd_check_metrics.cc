// `promlet check metrics [--format=text|openmetrics] [--strict] < FILE`:
// parses an exposition from stdin. Exit 0 with "N samples, M series,
// K families" when valid, exit 1 with the positioned error when not.
// Without --strict the verdict is the scrape path's verdict.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/container/flat_hash_set.h"
#include "scrape/textparse/parser.h"
#include "tools/commands.h"

namespace promlet::tools {
namespace {

namespace tp = scrape::textparse;

int CheckMetrics(const std::string& format, bool strict) {
  std::string body((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  tp::ParserOptions opts;
  opts.format = format == "openmetrics" ? tp::Format::kOpenMetrics : tp::Format::kPrometheusText;
  opts.strictness = strict ? tp::Strictness::kStrict : tp::Strictness::kScrape;
  tp::Parser p(opts);
  p.Reset(body);
  size_t samples = 0;
  absl::flat_hash_set<std::string> series, families;
  std::vector<storage::Label> sorted;
  for (;;) {
    tp::Entry e = p.Next();
    if (e == tp::Entry::kEof) break;
    if (e == tp::Entry::kError) {
      std::fprintf(stderr, "error: %s\n", std::string(p.status().message()).c_str());
      return 1;
    }
    if (e == tp::Entry::kType) families.insert(std::string(p.metadata_name()));
    if (e != tp::Entry::kSeries) continue;
    ++samples;
    families.insert(std::string(p.family_name()));
    auto ls = p.labels();
    sorted.assign(ls.begin(), ls.end());
    std::sort(sorted.begin(), sorted.end(),
              [](const storage::Label& a, const storage::Label& b) { return a.name < b.name; });
    std::string key(p.metric_name());
    for (const storage::Label& l : sorted) {
      if (l.value.empty()) continue;  // storage drops empty values
      key.push_back('\xff');
      key.append(l.name);
      key.push_back('\xff');
      key.append(l.value);
    }
    series.insert(std::move(key));
  }
  std::printf("%zu samples, %zu series, %zu families\n", samples, series.size(), families.size());
  return 0;
}

}  // namespace

void RegisterCheckMetricsCommand(CLI::App* check, CommandAction* action) {
  CLI::App* cmd = check->add_subcommand("metrics", "Check a metrics exposition read from stdin");
  auto format = std::make_shared<std::string>("text");
  auto strict = std::make_shared<bool>(false);
  cmd->add_option("--format", *format, "Exposition format: text (0.0.4) or openmetrics")
      ->check(CLI::IsMember({"text", "openmetrics"}));
  cmd->add_flag("--strict", *strict,
                "Apply the format specification to the letter (default: accept what the "
                "Prometheus server accepts when scraping)");
  cmd->callback([action, format, strict] {
    *action = [format, strict] { return CheckMetrics(*format, *strict); };
  });
}

}  // namespace promlet::tools
