#pragma once
// Where settings come from: the environment plus the command line. Tests build one by hand.
#include <map>
#include <string>
#include <vector>

namespace tributary::config {

struct Source {
  std::map<std::string, std::string> env;
  std::vector<std::string> args;  // argv without the program name

  static Source FromProcess(int argc, char** argv);
};

}  // namespace tributary::config
