// The single promlet binary. Each subcommand lives in its own cmd_*.cc and
// registers itself here; this file only wires them to CLI11.
#include <cstdio>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/synchronization/mutex.h"
#include "tools/commands.h"
#include "tools/version.h"

int main(int argc, char** argv) {
  // Debian's Abseil is built without NDEBUG, so each absl::Mutex lock would
  // also update a process-wide deadlock graph, a debugging aid the server
  // pays for on every scrape and query. Tests keep it on.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  CLI::App app{"promlet: a lightweight, Prometheus-compatible time-series store with a scraper"};
  app.set_version_flag("--version", std::string("promlet ") + promlet::tools::kVersion);
  app.require_subcommand(0, 1);
  // Sub-commands register their flags and set the action to run.
  promlet::tools::CommandAction action;
  promlet::tools::RegisterCommands(&app, &action);

  CLI11_PARSE(app, argc, argv);
  if (!action) {
    // No subcommand: the default is `serve`.
    if (promlet::tools::default_action) return promlet::tools::default_action();
    std::printf("%s\n", app.help().c_str());
    return 0;
  }
  return action();
}
