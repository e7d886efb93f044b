#include "common/config/source.hpp"

#include <unistd.h>

namespace tributary::config {

Source Source::FromProcess(int argc, char** argv) {
  Source source;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string text(*entry);
    const auto eq = text.find('=');
    if (eq != std::string::npos) source.env.emplace(text.substr(0, eq), text.substr(eq + 1));
  }
  for (int i = 1; i < argc; ++i) source.args.emplace_back(argv[i]);
  return source;
}

}  // namespace tributary::config
