#pragma once
// A child process for tests (a local server, the binary under test): started with its stdout
// on a pipe, stopped (SIGTERM, then SIGKILL) and reaped when the object goes away, so a failing
// test never leaves a server running.
#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tributary::testing {

class ChildProcess {
 public:
  // Starts argv[0] (searched in PATH) with the given arguments. Throws std::runtime_error.
  explicit ChildProcess(std::vector<std::string> argv);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The next line the child writes to stdout, or nothing at EOF or after the timeout.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout);

  // Sends `signal` and waits up to `timeout` for the exit; returns the exit status (or
  // 128 + signal number), or nothing if it is still running.
  std::optional<int> Stop(int signal, std::chrono::milliseconds timeout);
  // Waits up to `timeout` for the child to exit by itself.
  std::optional<int> Wait(std::chrono::milliseconds timeout);

  [[nodiscard]] pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string pending_;
  std::optional<int> status_;
};

// Starts tests/support/hostile_http_server.py and returns it with the port it listens on.
struct HostileServer {
  std::unique_ptr<ChildProcess> process;
  int port = 0;
};
HostileServer StartHostileServer(const std::string& tls_cert = {}, const std::string& tls_key = {},
                                 std::vector<std::string> extra_args = {});

}  // namespace tributary::testing
