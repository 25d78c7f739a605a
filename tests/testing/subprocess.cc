#include "tests/testing/subprocess.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "httplib.h"

namespace promlet::testing {

Subprocess::Subprocess(std::vector<std::string> argv, std::string log_path)
    : argv_(std::move(argv)), log_path_(std::move(log_path)) {
  if (log_path_.empty()) {
    log_path_ = absl::StrCat(std::filesystem::temp_directory_path().string(), "/promlet-sub-",
                             getpid(), "-", reinterpret_cast<uintptr_t>(this), ".log");
  }
}

Subprocess::~Subprocess() { Stop(absl::Seconds(5)); }

absl::Status Subprocess::Start() {
  if (argv_.empty() || access(argv_[0].c_str(), X_OK) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(argv_.empty() ? "" : argv_[0], " is not installed (run scripts/setup.sh)"));
  }
  int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return absl::InternalError(absl::StrCat("cannot open ", log_path_));
  std::vector<char*> args;
  for (auto& a : argv_) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    close(fd);
    return absl::InternalError("fork failed");
  }
  if (pid == 0) {
    dup2(fd, 1);
    dup2(fd, 2);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    // Own process group, so a Ctrl-C of the test run doesn't race us.
    setpgid(0, 0);
    execv(args[0], args.data());
    _exit(127);
  }
  close(fd);
  pid_ = pid;
  return absl::OkStatus();
}

void Subprocess::Signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);
}

std::optional<int> Subprocess::Wait(absl::Duration timeout) {
  if (pid_ <= 0) return 0;
  absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return status;
    }
    if (r < 0) {
      pid_ = -1;
      return -1;
    }
    if (absl::Now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void Subprocess::Stop(absl::Duration grace) {
  if (pid_ <= 0) return;
  Signal(SIGTERM);
  if (!Wait(grace).has_value()) {
    Signal(SIGKILL);
    Wait(absl::Seconds(10));
  }
}

std::string Subprocess::Log() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

bool WaitForHttp(const std::string& host, int port, const std::string& path,
                 absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  httplib::Client c(host, port);
  c.set_connection_timeout(1, 0);
  while (absl::Now() < deadline) {
    auto res = c.Get(path.c_str());
    if (res && res->status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

std::string MakeTempDir(const std::string& prefix) {
  std::string tmpl = std::filesystem::temp_directory_path().string() + "/" + prefix + "-XXXXXX";
  char* p = mkdtemp(tmpl.data());
  return p ? std::string(p) : std::string();
}

void RemoveTree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

int RunCommand(const std::string& command, std::string* out) {
  FILE* f = popen((command + " 2>&1").c_str(), "r");
  if (f == nullptr) return -1;
  char buf[4096];
  size_t n;
  if (out) out->clear();
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
    if (out) out->append(buf, n);
  }
  int status = pclose(f);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool RequireBinary(const std::string& path, std::string* message) {
  if (access(path.c_str(), X_OK) == 0) return true;
  *message = absl::StrCat(path, " is missing: CI installs it with scripts/setup.sh");
  return false;
}

}  // namespace promlet::testing
