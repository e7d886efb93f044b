#pragma once
// Gzip-compressed documents (sitemap.xml.gz): inflated with a cap on the *decompressed* size so
// a small bomb cannot take the memory.
#include <string>
#include <string_view>

#include "common/base/result.hpp"

namespace tributary::parser {

bool IsGzip(std::string_view body);

struct Inflated {
  std::string data;
  bool truncated = false;  // the cap was reached; `data` holds the first `max_bytes`
};

[[nodiscard]] Result<Inflated> Gunzip(std::string_view body, std::size_t max_bytes);

}  // namespace tributary::parser
