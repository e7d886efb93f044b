#pragma once
// The dispatch of a command with subcommands (`tributary sources add`, `dlq list`, `index
// build`): no word prints the usage to stderr (exit 2), help/--help/-h prints it to stdout
// (exit 0), an unknown word is named before the usage (exit 2).
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "common/config/source.hpp"

namespace tributary::cli {

using Subcommand = std::function<int(const config::Source&)>;

// `command` is the full name for messages, e.g. "tributary sources".
int RunSubcommand(const config::Source& source, std::string_view command, std::string_view usage,
                  const std::map<std::string, Subcommand, std::less<>>& subcommands);

}  // namespace tributary::cli
