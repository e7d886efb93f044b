#pragma once
// `tributary decode TOPIC`: a topic's records as JSON lines, values decoded by the topic's
// message type (DLQ records by their original topic). A plain reader: assign(), no group, no
// commits, so it never disturbs a stage.
#include "common/config/source.hpp"

namespace tributary::cli {

int DecodeCommand(const config::Source& source);

}  // namespace tributary::cli
