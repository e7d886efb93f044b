#pragma once
// `tributary parse FILE|-`: runs the parser offline on one document and prints the result as
// JSON (metadata, every item, children, warnings), so a person can debug a feed.
#include "common/config/source.hpp"

namespace tributary::cli {

int ParseCommand(const config::Source& source);

}  // namespace tributary::cli
