// Test support: start real programs (prometheus, promtool, node_exporter,
// dnsmasq, promlet itself) on loopback, find free ports, poll until ready.
// Only processes started here are ever signalled, by PID.
//
//   int port = FreePort();
//   Subprocess prom({"/usr/bin/prometheus", "--web.listen-address=127.0.0.1:" + ...});
//   ASSERT_TRUE(prom.Start().ok());
//   ASSERT_TRUE(WaitForHttp("127.0.0.1", port, "/-/ready", absl::Seconds(30)));
//   ...                        // destructor sends SIGTERM, then SIGKILL
#ifndef PROMLET_TESTS_TESTING_SUBPROCESS_H_
#define PROMLET_TESTS_TESTING_SUBPROCESS_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace promlet::testing {

class Subprocess {
 public:
  // argv[0] is the program path. Output (stdout+stderr) goes to log_path, or
  // to a temp file when empty; Log() reads it back for failure messages.
  explicit Subprocess(std::vector<std::string> argv, std::string log_path = "");
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  // FailedPrecondition when argv[0] is not an executable file.
  absl::Status Start();
  // Sends sig to the child (never to anyone else).
  void Signal(int sig);
  // Waits for exit up to timeout; the exit status (as from waitpid), or
  // nullopt on timeout.
  std::optional<int> Wait(absl::Duration timeout);
  // SIGTERM, wait up to `grace`, then SIGKILL; idempotent.
  void Stop(absl::Duration grace = absl::Seconds(5));
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  std::string Log() const;

 private:
  std::vector<std::string> argv_;
  std::string log_path_;
  pid_t pid_ = -1;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();

// Polls GET http://host:port<path> until it answers 200 or the deadline.
bool WaitForHttp(const std::string& host, int port, const std::string& path,
                 absl::Duration timeout);

// A fresh directory under $TMPDIR; removed by RemoveTree.
std::string MakeTempDir(const std::string& prefix);
void RemoveTree(const std::string& path);

// Runs a command line with /bin/sh, returns its exit code; output to *out.
int RunCommand(const std::string& command, std::string* out);

// Fails loudly (returns false + message) when a required binary is missing:
// CI installs every peer through scripts/setup.sh.
bool RequireBinary(const std::string& path, std::string* message);

}  // namespace promlet::testing

#endif  // PROMLET_TESTS_TESTING_SUBPROCESS_H_
