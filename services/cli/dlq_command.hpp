#pragma once
// `tributary dlq list|redrive`: triage and re-drive dead-lettered records (DESIGN §2, §4).
// `list` reads the DLQ topics without a group. `redrive` re-produces each record's original key,
// value and headers to its original topic (x-tributary-topic) with lineage headers
// (x-tributary-redriven-from, x-tributary-redrive-count), waits for the acknowledgements, then
// commits its own consumer group so a record is redriven once.
#include "common/config/source.hpp"

namespace tributary::cli {

int DlqCommand(const config::Source& source);

}  // namespace tributary::cli
