#pragma once
// The migration files compiled into the binary, in file-name order.
#include <string_view>
#include <vector>

namespace tributary::migrations {

struct EmbeddedFile {
  std::string_view name;  // e.g. "0001_extensions_and_sources.sql"
  std::string_view sql;
};

const std::vector<EmbeddedFile>& EmbeddedFiles();

}  // namespace tributary::migrations
