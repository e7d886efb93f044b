#pragma once
#include <functional>

#include "common/config/source.hpp"

namespace tributary::embedder {

class App {
 public:
  static int Main(int argc, char** argv);
  // Runs until Shutdown is requested, `keep_running` returns false, or a fatal error (exit 1).
  static int Run(const config::Source& source,
                 const std::function<bool()>& keep_running = [] { return true; });
};

}  // namespace tributary::embedder
