#include "tests/support/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <thread>

#include "tests/support/test_env.hpp"

namespace tributary::testing {

ChildProcess::ChildProcess(std::vector<std::string> argv) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // Dies with the test process, even when the test crashes or is killed by a timeout.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(fds[1], STDOUT_FILENO);
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (auto& arg : argv) args.push_back(arg.data());
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  stdout_fd_ = fds[0];
}

ChildProcess::~ChildProcess() {
  if (!status_ && !Stop(SIGTERM, std::chrono::seconds(5))) Stop(SIGKILL, std::chrono::seconds(5));
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

std::optional<std::string> ChildProcess::ReadLine(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (auto eol = pending_.find('\n'); eol != std::string::npos) {
      auto line = pending_.substr(0, eol);
      pending_.erase(0, eol + 1);
      return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd pfd{stdout_fd_, POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
    char buffer[4096];
    const auto n = read(stdout_fd_, buffer, sizeof buffer);
    if (n <= 0) return std::nullopt;
    pending_.append(buffer, static_cast<std::size_t>(n));
  }
}

std::optional<int> ChildProcess::Wait(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const auto r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return status_;
    }
    if (r < 0 || std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::optional<int> ChildProcess::Stop(int signal, std::chrono::milliseconds timeout) {
  if (status_) return status_;
  kill(pid_, signal);
  return Wait(timeout);
}

HostileServer StartHostileServer(const std::string& tls_cert, const std::string& tls_key,
                                 std::vector<std::string> extra_args) {
  std::vector<std::string> argv{"python3",
                                (SourceDir() / "tests/support/hostile_http_server.py").string()};
  if (!tls_cert.empty()) {
    argv.insert(argv.end(), {"--tls-cert", tls_cert, "--tls-key", tls_key});
  }
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  HostileServer server;
  server.process = std::make_unique<ChildProcess>(argv);
  const auto line = server.process->ReadLine(std::chrono::seconds(20));
  if (!line || line->rfind("PORT ", 0) != 0) {
    throw std::runtime_error("hostile_http_server.py did not report its port");
  }
  server.port = std::stoi(line->substr(5));
  return server;
}

}  // namespace tributary::testing
