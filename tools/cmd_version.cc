#include <cstdio>

#include "CLI/CLI.hpp"
#include "tools/commands.h"
#include "tools/version.h"

namespace promlet::tools {

void RegisterVersionCommand(CLI::App* app, CommandAction* action) {
  CLI::App* cmd = app->add_subcommand("version", "Print the version and exit");
  cmd->callback([action] {
    *action = [] {
      std::printf("promlet version %s\n", kVersion);
      return 0;
    };
  });
}

}  // namespace promlet::tools
