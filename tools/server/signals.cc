#include "tools/server/signals.h"

#include <pthread.h>
#include <signal.h>

namespace promlet::tools {
namespace {

sigset_t ServerSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGUSR2);  // internal: wakes the waiter to exit
  return set;
}

}  // namespace

void BlockServerSignals() {
  sigset_t set = ServerSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void SignalWaiter::Start() {
  thread_ = std::thread([this] {
    sigset_t set = ServerSignals();
    for (;;) {
      int sig = 0;
      if (sigwait(&set, &sig) != 0) continue;
      // Acquire pairs with the release store in Stop().
      if (sig == SIGUSR2 && stopping_.load(std::memory_order_acquire)) return;
      if (sig == SIGHUP) {
        on_reload_();
      } else if (sig == SIGTERM || sig == SIGINT) {
        on_stop_();
      }
    }
  });
}

void SignalWaiter::Stop() {
  if (!thread_.joinable()) return;
  stopping_.store(true, std::memory_order_release);
  pthread_kill(thread_.native_handle(), SIGUSR2);
  thread_.join();
}

}  // namespace promlet::tools
