#pragma once
// The edge of librdkafka's C++ API: configurations (our defaults first, then the user's
// pass-through properties), error classes, and messages converted to ours.
#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <memory>
#include <string>

#include "common/kafka/message.hpp"
#include "common/kafka/settings.hpp"

namespace tributary::kafka {

// Throws std::runtime_error naming the property (never its value, which may be a secret).
std::unique_ptr<RdKafka::Conf> MakeConf(const Settings& settings,
                                        const std::map<std::string, std::string>& defaults);

// Maps a librdkafka error code to a short error class for logs, metrics and DLQ headers.
std::string ErrorClass(RdKafka::ErrorCode code);

// A consumed librdkafka message as ours: topic, partition, offset, key, payload, timestamp and
// headers copied (a header without a value becomes an empty one). Not const: neither are
// librdkafka's accessors.
Message ToMessage(RdKafka::Message& raw);

}  // namespace tributary::kafka
