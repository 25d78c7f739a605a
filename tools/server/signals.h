// Process signals for the server: SIGTERM/SIGINT ask for a graceful stop,
// SIGHUP for a config reload. Signals are blocked in every thread and taken
// by one waiter thread with sigwait(), so handlers never run inside
// arbitrary code (no async-signal-safety traps).
#ifndef PROMLET_TOOLS_SERVER_SIGNALS_H_
#define PROMLET_TOOLS_SERVER_SIGNALS_H_

#include <atomic>
#include <functional>
#include <thread>

namespace promlet::tools {

// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread; call first in
// main thread, before any thread starts, so all threads inherit the mask.
void BlockServerSignals();

// Thread-compatible; Start/Stop from the main thread.
class SignalWaiter {
 public:
  SignalWaiter(std::function<void()> on_stop, std::function<void()> on_reload)
      : on_stop_(std::move(on_stop)), on_reload_(std::move(on_reload)) {}
  ~SignalWaiter() { Stop(); }
  void Start();
  // Wakes the waiter (with SIGUSR2 to this process's waiter thread) and joins.
  void Stop();

 private:
  std::function<void()> on_stop_;
  std::function<void()> on_reload_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
};

}  // namespace promlet::tools

#endif  // PROMLET_TOOLS_SERVER_SIGNALS_H_
