// Subcommand registry of the promlet binary. Each cmd_*.cc defines one
// Register*Command; commands.cc calls them all. A command stores what to run
// in *action (a CLI11 callback) so main() runs it after parsing.
#ifndef PROMLET_TOOLS_COMMANDS_H_
#define PROMLET_TOOLS_COMMANDS_H_

#include <functional>

namespace CLI {
class App;
}

namespace promlet::tools {

using CommandAction = std::function<int()>;

// What runs when no subcommand is given (serve, once it exists).
extern CommandAction default_action;

void RegisterCommands(CLI::App* app, CommandAction* action);

// One per cmd_*.cc.
void RegisterVersionCommand(CLI::App* app, CommandAction* action);
void RegisterServeCommand(CLI::App* app, CommandAction* action);
void RegisterCheckCommands(CLI::App* app, CommandAction* action);
void RegisterSynthCommand(CLI::App* app, CommandAction* action);
void RegisterImportCommand(CLI::App* app, CommandAction* action);
void RegisterTsdbCommand(CLI::App* app, CommandAction* action);

}  // namespace promlet::tools

#endif  // PROMLET_TOOLS_COMMANDS_H_
