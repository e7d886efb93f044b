#include "common/kafka/message.hpp"

#include <algorithm>
#include <cctype>

#include "common/base/traceparent.hpp"

namespace tributary::kafka {

std::optional<std::string> FindHeader(const Headers& headers, std::string_view name) {
  // Header names are compared case-insensitively, as HTTP people expect of "Content-Type".
  const auto it = std::find_if(headers.begin(), headers.end(), [&](const auto& header) {
    return std::equal(header.first.begin(), header.first.end(), name.begin(), name.end(),
                      [](char a, char b) { return std::tolower(a) == std::tolower(b); });
  });
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

Headers DerivedHeaders(const Message& parent, Headers first) {
  first.emplace_back(kTraceparentHeader, trace::ChildTraceparent(parent.Traceparent()));
  return first;
}

}  // namespace tributary::kafka
