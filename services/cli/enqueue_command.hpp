#pragma once
// `tributary enqueue ID|URL...`: fetch these registered sources now, outside the schedule. The
// requests are the scheduler's (same builder, validators and options) but take no lease, so the
// regular schedule is unchanged.
#include "common/config/source.hpp"

namespace tributary::cli {

int EnqueueCommand(const config::Source& source);

}  // namespace tributary::cli
