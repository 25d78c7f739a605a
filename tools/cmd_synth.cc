// `promlet synth --listen=127.0.0.1:PORT --targets=N --series=M
// [--churn=F] [--seed=S]`: serves N synthetic targets on consecutive ports
// (PORT..PORT+N-1, each /metrics) until SIGINT or SIGTERM. The seed of the
// cardinality benchmarks; see scrape/synth/synth.h.
#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "scrape/synth/synth.h"
#include "tools/commands.h"

namespace promlet::tools {
namespace {

struct SynthFlags {
  std::string listen = "127.0.0.1:9100";
  int targets = 10;
  int series = 1000;
  double churn = 0;
  uint64_t seed = 1;
};

int RunSynth(const SynthFlags& f) {
  const size_t colon = f.listen.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "synth: --listen must be HOST:PORT\n");
    return 2;
  }
  const std::string host = f.listen.substr(0, colon);
  const int port = std::atoi(f.listen.c_str() + colon + 1);
  // Block the stop signals before any thread starts, then wait for them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  absl::StatusOr<std::unique_ptr<scrape::SynthServer>> srv = scrape::SynthServer::Start(
      host, port, f.targets, {.series = f.series, .seed = f.seed, .churn = f.churn});
  if (!srv.ok()) {
    std::fprintf(stderr, "synth: %s\n", std::string(srv.status().message()).c_str());
    return 1;
  }
  std::printf("synth: %d targets x %d series on %s:%d-%d\n", f.targets, f.series, host.c_str(), (*srv)->port(0),
              (*srv)->port((*srv)->size() - 1));
  std::fflush(stdout);
  int sig = 0;
  sigwait(&set, &sig);
  (*srv)->Stop();
  return 0;
}

}  // namespace

void RegisterSynthCommand(CLI::App* app, CommandAction* action) {
  auto f = std::make_shared<SynthFlags>();
  CLI::App* cmd = app->add_subcommand("synth", "Serve synthetic scrape targets for tests and benchmarks");
  cmd->add_option("--listen", f->listen, "HOST:PORT of the first target; the others follow on consecutive ports");
  cmd->add_option("--targets", f->targets, "Number of targets")->check(CLI::PositiveNumber);
  cmd->add_option("--series", f->series, "Series per target")->check(CLI::PositiveNumber);
  cmd->add_option("--churn", f->churn, "Fraction of series replaced by new ones on each scrape (0..1)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--seed", f->seed, "Random seed; same seed, same output");
  cmd->callback([action, f] { *action = [f] { return RunSynth(*f); }; });
}

}  // namespace promlet::tools
