#pragma once
// Topic and group administration for tests, through librdkafka's Admin API (no JVM start-up).
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/kafka/message.hpp"

namespace tributary::testing {

void CreateTopic(const std::string& brokers, const std::string& topic, int partitions);

// The group's committed offsets for partitions 0..partitions-1 of `topic` (-1001 = none).
std::map<std::int32_t, std::int64_t> CommittedOffsets(const std::string& brokers,
                                                      const std::string& group,
                                                      const std::string& topic, int partitions);

// Reads every message of `topic` from the beginning until `count` arrived or the timeout passed.
std::vector<kafka::Message> ReadAll(const std::string& brokers, const std::string& topic,
                                    std::size_t count, std::chrono::milliseconds timeout);

}  // namespace tributary::testing
