#pragma once
// `tributary`: the operator's command line (DESIGN §6). Commands so far: migrate, version.
#include "common/config/source.hpp"

namespace tributary::cli {

class App {
 public:
  static int Main(int argc, char** argv);
  // Runs one command line; returns the process exit code. Tests call this directly.
  static int Run(const config::Source& source);
};

}  // namespace tributary::cli
