#pragma once
#include "common/config/source.hpp"

namespace tributary::scheduler {

struct App {
  static int Run(const config::Source& source);
  static int Main(int argc, char** argv);
};

}  // namespace tributary::scheduler
