// A harness for crash tests: a forked child commits continuously and reports
// each committed batch id through a pipe; the parent SIGKILLs it after a
// chosen number of reports, at whatever point the child has reached, then
// the test reopens the data and checks that every reported batch is there.
// Reusable for DB-level crash tests (H2): only the child body differs.
//
//   CrashRound round = RunChildAndKill([&](CommitReporter& r) {
//     auto wal = ...;                       // no gtest macros in the child
//     for (uint64_t id = first;; ++id) {
//       if (!wal->Log(...).ok()) ChildFail(3);
//       r.Report(id);                        // after the commit returned
//     }
//   }, /*kill_after_reports=*/rng() % 200);
//   ASSERT_TRUE(round.killed) << round.exit_description;
//   for (uint64_t id : round.acknowledged) EXPECT_TRUE(found.contains(id));
//
// The child never returns into the test framework: it ends with _exit().
// Call it from a single-threaded test (fork copies only the calling thread).
#ifndef PROMLET_TESTS_STORAGE_WAL_CRASH_HARNESS_H_
#define PROMLET_TESTS_STORAGE_WAL_CRASH_HARNESS_H_

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace promlet::testing {

// Child side: tells the parent that batch `id` is committed.
class CommitReporter {
 public:
  explicit CommitReporter(int fd) : fd_(fd) {}
  void Report(uint64_t id) {
    // 8 bytes < PIPE_BUF: the write is atomic; a report either arrives whole
    // or (killed before the call) not at all.
    char buf[8];
    std::memcpy(buf, &id, 8);
    while (::write(fd_, buf, 8) < 0 && errno == EINTR) {
    }
  }

 private:
  int fd_;
};

// Ends the child with `code` (> 1): the parent reports it as a child failure.
[[noreturn]] inline void ChildFail(int code) { ::_exit(code); }

struct CrashRound {
  std::vector<uint64_t> acknowledged;  // ids reported before the kill, in order
  bool killed = false;                 // true: died of our SIGKILL
  std::string exit_description;        // how the child ended
};

// Forks; the child runs `child` (which should commit forever; if it returns,
// the child exits 0). The parent reads reports until it has
// `kill_after_reports` of them (0: kill right away, possibly during the
// child's start-up and recovery), SIGKILLs the child, drains the reports
// written before the kill, and reaps it.
inline CrashRound RunChildAndKill(const std::function<void(CommitReporter&)>& child,
                                  int kill_after_reports) {
  CrashRound round;
  int fds[2];
  if (::pipe(fds) != 0) {
    round.exit_description = std::string("pipe: ") + std::strerror(errno);
    return round;
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    round.exit_description = std::string("fork: ") + std::strerror(errno);
    ::close(fds[0]);
    ::close(fds[1]);
    return round;
  }
  if (pid == 0) {
    ::close(fds[0]);
    CommitReporter reporter(fds[1]);
    child(reporter);
    ::_exit(0);
  }
  ::close(fds[1]);
  auto read_one = [&](uint64_t* id) {
    char buf[8];
    size_t got = 0;
    while (got < 8) {
      ssize_t n = ::read(fds[0], buf + got, 8 - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;  // EOF: the child is gone
      got += static_cast<size_t>(n);
    }
    std::memcpy(id, buf, 8);
    return true;
  };
  uint64_t id;
  while (static_cast<int>(round.acknowledged.size()) < kill_after_reports && read_one(&id)) {
    round.acknowledged.push_back(id);
  }
  ::kill(pid, SIGKILL);
  while (read_one(&id)) round.acknowledged.push_back(id);  // sent before death
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    round.killed = WTERMSIG(status) == SIGKILL;
    round.exit_description = std::string("killed by signal ") + std::to_string(WTERMSIG(status));
  } else if (WIFEXITED(status)) {
    round.exit_description = "exited with code " + std::to_string(WEXITSTATUS(status));
  }
  return round;
}

}  // namespace promlet::testing

#endif  // PROMLET_TESTS_STORAGE_WAL_CRASH_HARNESS_H_
