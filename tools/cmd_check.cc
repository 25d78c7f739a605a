// `promlet check ...`: offline validators (metrics expositions, configs).
#include "CLI/CLI.hpp"
#include "tools/commands.h"

namespace promlet::tools {

void RegisterCheckMetricsCommand(CLI::App* check, CommandAction* action);
void RegisterCheckConfigCommand(CLI::App* check, CommandAction* action);

void RegisterCheckCommands(CLI::App* app, CommandAction* action) {
  CLI::App* check = app->add_subcommand("check", "Check expositions and configuration files");
  check->require_subcommand(1);
  RegisterCheckMetricsCommand(check, action);
  RegisterCheckConfigCommand(check, action);
}

}  // namespace promlet::tools
