#pragma once
// What integration tests need from the environment that deploy/local/env.sh exports.
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

namespace tributary::testing {

// The variable's value; fails the test (not skips) when it is missing, because integration
// tests are meant to run against the real services `scripts/test.sh` starts.
std::string RequireEnv(const char* name);

// A name no other test run uses, e.g. "it-kafka-1700000000-12345-7".
std::string UniqueName(const std::string& prefix);

std::filesystem::path SourceDir();
std::filesystem::path BinDir();

// Runs a shell command, returning its exit status and captured stdout.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
CommandResult RunCommand(const std::string& command, const std::string& stdin_text = {});

// Polls `done` every `poll` until it holds or `timeout` passes; the last answer of `done`.
bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout,
             std::chrono::milliseconds poll = std::chrono::milliseconds(100));

}  // namespace tributary::testing
