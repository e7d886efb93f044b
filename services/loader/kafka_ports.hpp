#pragma once
// The loader's Kafka-side ports on the real clients: the shared ones of common/runtime.
#include "common/runtime/kafka_stage_ports.hpp"
#include "services/loader/store.hpp"

namespace tributary::loader {

using runtime::ConsumerCompletions;
using runtime::KafkaDeadLetters;

}  // namespace tributary::loader
