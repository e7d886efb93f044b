#pragma once
// What every binary's main() does around its Run(): SIGTERM/SIGINT handlers for the graceful
// drain, settings from argv + environment, and the exit codes scripts and Kubernetes rely on:
// 0 done, 1 failed (message on stderr, secrets masked), 2 bad settings (every bad one named).
#include <functional>
#include <string_view>

#include "common/config/source.hpp"

namespace tributary::runtime {

int ProcessMain(int argc, char** argv, std::string_view program,
                const std::function<int(const config::Source&)>& run);

}  // namespace tributary::runtime
