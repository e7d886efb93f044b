#pragma once
// The feeds listed in an OPML file (feed readers' export format): every <outline> with an
// xmlUrl, at any nesting depth (folders). Parsed with libxml2 without network access or entity
// expansion.
#include <string>
#include <vector>

#include "common/base/result.hpp"

namespace tributary::cli {

struct OpmlFeed {
  std::string url;
  std::string title;  // title, else text; may be empty
};

Result<std::vector<OpmlFeed>> ParseOpml(const std::string& document);

}  // namespace tributary::cli
