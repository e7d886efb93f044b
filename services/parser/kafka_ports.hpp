#pragma once
// The parser's ports on the real Kafka clients. They are the shared ones of common/runtime.
#include "common/runtime/kafka_stage_ports.hpp"
#include "services/parser/ports.hpp"

namespace tributary::parser {

using runtime::ConsumerCompletions;
using runtime::KafkaDeadLetters;
using runtime::ProducerSink;

}  // namespace tributary::parser
