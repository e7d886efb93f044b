#pragma once
// `tributary sources add|import-opml|list|show|disable|enable`: the CLI owns the configuration
// columns of `sources` (DESIGN §1). Every write is an upsert on the natural key (url), so
// re-running a command or re-importing a file is harmless.
#include "common/config/source.hpp"

namespace tributary::cli {

int SourcesCommand(const config::Source& source);

}  // namespace tributary::cli
