#pragma once
// What the parser stage needs from Kafka, as small interfaces so the core runs in tests against
// an in-memory bus and in production against the real clients (kafka_ports.hpp).
#include "common/base/result.hpp"
#include "common/runtime/stage_ports.hpp"

namespace tributary::parser {

// The ports every stage shares (common/runtime/stage_ports.hpp).
using runtime::Completions;
using runtime::DeadLetters;
using runtime::RecordSink;

}  // namespace tributary::parser
