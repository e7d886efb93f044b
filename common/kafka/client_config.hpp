#pragma once
// Builds librdkafka configurations: our defaults first, then the user's pass-through properties.
#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <memory>
#include <string>

#include "common/kafka/settings.hpp"

namespace tributary::kafka {

// Throws std::runtime_error naming the property (never its value, which may be a secret).
std::unique_ptr<RdKafka::Conf> MakeConf(const Settings& settings,
                                        const std::map<std::string, std::string>& defaults);

// Maps a librdkafka error code to a short error class for logs, metrics and DLQ headers.
std::string ErrorClass(RdKafka::ErrorCode code);

}  // namespace tributary::kafka
