#pragma once
// tributary-fetcher: fetch requests in; documents and fetch outcomes out (DESIGN §6).
#include <functional>

#include "common/config/source.hpp"

namespace tributary::fetcher {

class App {
 public:
  static int Main(int argc, char** argv);
  // Runs until Shutdown is requested (or `keep_running` returns false: tests).
  static int Run(
      const config::Source& source,
      const std::function<bool()>& keep_running = [] { return true; });
};

}  // namespace tributary::fetcher
