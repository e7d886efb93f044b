#pragma once
// What the fetch worker needs from Kafka, as small interfaces (kafka_ports.hpp binds them to the
// real clients; tests and the benchmark bind them to in-memory ones).
#include "common/base/result.hpp"
#include "common/runtime/stage_ports.hpp"

namespace tributary::fetcher {

// The ports every stage shares (common/runtime/stage_ports.hpp).
using runtime::Completions;
using runtime::DeadLetters;
using runtime::RecordSink;

}  // namespace tributary::fetcher
