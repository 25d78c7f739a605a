// file_sd_configs: JSON or YAML files (globs allowed in the file name) each
// holding a list of {targets: [...], labels: {...}}. Every group gets
// __meta_filepath. A file that fails to read or parse keeps its last good
// groups and reports the error; a file that disappears drops its groups.
// Changed() compares the set of matching files and their mtimes and sizes,
// so a rewritten file is picked up without waiting for refresh_interval.
#ifndef PROMLET_SCRAPE_DISCOVERY_FILE_SD_H_
#define PROMLET_SCRAPE_DISCOVERY_FILE_SD_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "scrape/config/config.h"
#include "scrape/discovery/discoverer.h"

namespace promlet::scrape {

// Parses one file's content; `path` becomes __meta_filepath and the source
// prefix. InvalidArgument with the reason on malformed content.
absl::StatusOr<std::vector<TargetGroup>> ParseFileSdContent(std::string_view content,
                                                            const std::string& path);

// Thread-compatible.
class FileSd : public Discoverer {
 public:
  explicit FileSd(FileSdConfig cfg) : cfg_(std::move(cfg)) {}
  DiscoveryResult Refresh() override;
  absl::Duration refresh_interval() const override { return cfg_.refresh_interval; }
  bool Changed() override;
  std::string name() const override;

 private:
  // Matching paths with "mtime_ns:size" each.
  std::map<std::string, std::string> Stat() const;

  FileSdConfig cfg_;
  std::map<std::string, std::string> last_stat_;
  std::map<std::string, std::vector<TargetGroup>> last_good_;
};

}  // namespace promlet::scrape

#endif  // PROMLET_SCRAPE_DISCOVERY_FILE_SD_H_
