#include "services/cli/subcommands.hpp"

#include <iostream>

namespace tributary::cli {

int RunSubcommand(const config::Source& source, std::string_view command, std::string_view usage,
                  const std::map<std::string, Subcommand, std::less<>>& subcommands) {
  if (source.args.empty()) {
    std::cerr << usage;
    return 2;
  }
  const std::string& word = source.args.front();
  if (word == "--help" || word == "-h" || word == "help") {
    std::cout << usage;
    return 0;
  }
  const auto found = subcommands.find(word);
  if (found == subcommands.end()) {
    std::cerr << command << ": unknown subcommand '" << word << "'\n\n" << usage;
    return 2;
  }
  config::Source rest = source;
  rest.args.erase(rest.args.begin());
  return found->second(rest);
}

}  // namespace tributary::cli
