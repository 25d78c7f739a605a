#include "tools/commands.h"

#include "CLI/CLI.hpp"

namespace promlet::tools {

CommandAction default_action;

void RegisterCommands(CLI::App* app, CommandAction* action) {
  RegisterServeCommand(app, action);
  RegisterVersionCommand(app, action);
  RegisterCheckCommands(app, action);
  RegisterSynthCommand(app, action);
  RegisterImportCommand(app, action);
  RegisterTsdbCommand(app, action);
}

}  // namespace promlet::tools
