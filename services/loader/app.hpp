#pragma once
#include "common/config/source.hpp"

namespace tributary::loader {

class App {
 public:
  static int Main(int argc, char** argv);
  // For tests: runs until Shutdown is requested.
  static int Run(const config::Source& source);
};

}  // namespace tributary::loader
