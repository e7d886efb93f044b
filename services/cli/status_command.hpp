#pragma once
// `tributary status`: is the pipeline keeping up? Lag per stage group and partition, DLQ depth
// per stage, source health (enabled, failing, never fetched, stale) and error rates from the
// data-quality views (migrations/0005), and row counts. Each section reports its own failure,
// so a down broker still leaves the database part readable (and the exit code is 1).
#include "common/config/source.hpp"

namespace tributary::cli {

int StatusCommand(const config::Source& source);

}  // namespace tributary::cli
