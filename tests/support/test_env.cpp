#include "tests/support/test_env.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace tributary::testing {

std::string RequireEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    throw std::runtime_error(std::string(name) +
                             " is not set: start the local services with deploy/local/up.sh and "
                             "`source deploy/local/env.sh` (scripts/test.sh does both)");
  }
  return value;
}

std::string UniqueName(const std::string& prefix) {
  static std::atomic<int> counter{0};
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return prefix + "-" + std::to_string(now) + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(counter++);
}

std::filesystem::path SourceDir() { return TRIBUTARY_SOURCE_DIR; }
std::filesystem::path BinDir() { return TRIBUTARY_BIN_DIR; }

CommandResult RunCommand(const std::string& command, const std::string& stdin_text) {
  // stdin goes through a temporary file so the child can never block on a full pipe.
  std::string full = command;
  std::string input_path;
  if (!stdin_text.empty()) {
    input_path = (std::filesystem::temp_directory_path() / UniqueName("tributary-stdin")).string();
    std::ofstream(input_path, std::ios::binary) << stdin_text;
    full += " < '" + input_path + "'";
  }
  CommandResult result;
  FILE* pipe = ::popen(full.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run: " + command);
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (!input_path.empty()) std::filesystem::remove(input_path);
  return result;
}

bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout,
             std::chrono::milliseconds poll) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(poll);
  }
  return done();
}

}  // namespace tributary::testing
