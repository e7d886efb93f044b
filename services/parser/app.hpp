#pragma once
// tributary-parser: documents in; items, discovered fetches and parse outcomes out (DESIGN §6).
#include <functional>

#include "common/config/source.hpp"

namespace tributary::parser {

class App {
 public:
  static int Main(int argc, char** argv);
  // Runs until Shutdown is requested (or `keep_running` returns false: tests).
  static int Run(
      const config::Source& source,
      const std::function<bool()>& keep_running = [] { return true; });
};

}  // namespace tributary::parser
