// `promlet check config FILE...`: validates prometheus.yml files the way the
// server loads them and explains what they configure (jobs, intervals,
// target sources, static targets). Exit status 0 when all are valid, 1
// otherwise; errors carry file:line:column.
#include <sys/stat.h>

#include <cstdio>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "scrape/config/config.h"
#include "tools/commands.h"

namespace promlet::tools {
namespace {

bool FileExists(const std::string& p) {
  struct stat st {};
  return stat(p.c_str(), &st) == 0;
}

// Files a job reads at scrape time must exist (promtool checks these too).
std::vector<std::string> MissingFiles(const scrape::Config& cfg) {
  std::vector<std::string> out;
  for (const scrape::ScrapeConfig& sc : cfg.scrape_configs) {
    const scrape::HttpClientConfig& h = sc.http;
    for (const std::string* f : {&h.basic_auth_password_file, &h.authorization_credentials_file, &h.tls.ca_file,
                                 &h.tls.cert_file, &h.tls.key_file}) {
      if (!f->empty() && !FileExists(*f)) out.push_back("job \"" + sc.job_name + "\": file " + *f + " does not exist");
    }
  }
  return out;
}

int CheckConfigFiles(const std::vector<std::string>& files) {
  int rc = 0;
  for (const std::string& path : files) {
    std::printf("Checking %s\n", path.c_str());
    absl::StatusOr<scrape::Config> cfg = scrape::LoadConfigFile(path);
    if (!cfg.ok()) {
      std::printf("  FAILED: %s\n\n", std::string(cfg.status().message()).c_str());
      rc = 1;
      continue;
    }
    std::vector<std::string> missing = MissingFiles(*cfg);
    if (!missing.empty()) {
      for (const std::string& m : missing) std::printf("  FAILED: %s\n", m.c_str());
      std::printf("\n");
      rc = 1;
      continue;
    }
    std::printf("  SUCCESS: %s is valid prometheus config file syntax\n", path.c_str());
    std::string summary = scrape::DescribeConfig(*cfg);
    std::printf("%s\n", summary.c_str());
  }
  return rc;
}

}  // namespace

void RegisterCheckConfigCommand(CLI::App* check, CommandAction* action) {
  CLI::App* cmd = check->add_subcommand("config", "Validate prometheus.yml files and summarise them");
  auto files = std::make_shared<std::vector<std::string>>();
  cmd->add_option("files", *files, "Configuration files")->required();
  cmd->callback([action, files] { *action = [files] { return CheckConfigFiles(*files); }; });
}

}  // namespace promlet::tools
