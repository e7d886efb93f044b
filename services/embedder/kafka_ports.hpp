#pragma once
// The embedder's Kafka ports on the real clients. They are the shared ones of common/runtime.
#include "common/runtime/kafka_stage_ports.hpp"
#include "services/embedder/ports.hpp"

namespace tributary::embedder {

using runtime::ConsumerCompletions;
using runtime::KafkaDeadLetters;
using runtime::ProducerSink;

}  // namespace tributary::embedder
