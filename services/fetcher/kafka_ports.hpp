#pragma once
// The fetcher's ports on the real Kafka clients. They are the shared ones of common/runtime.
#include "common/runtime/kafka_stage_ports.hpp"
#include "services/fetcher/ports.hpp"

namespace tributary::fetcher {

using runtime::ConsumerCompletions;
using runtime::KafkaDeadLetters;
using runtime::ProducerSink;

}  // namespace tributary::fetcher
