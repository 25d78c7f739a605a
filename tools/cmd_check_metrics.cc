// Placeholder until the text parser lands (issue 2); replaced by the parser work.
#include <cstdio>

#include "CLI/CLI.hpp"
#include "tools/commands.h"

namespace promlet::tools {

void RegisterCheckMetricsCommand(CLI::App* check, CommandAction* action) {
  CLI::App* cmd = check->add_subcommand("metrics", "Check a metrics exposition read from stdin");
  cmd->callback([action] {
    *action = [] {
      std::fprintf(stderr, "check metrics: parser not built yet\n");
      return 2;
    };
  });
}

}  // namespace promlet::tools
