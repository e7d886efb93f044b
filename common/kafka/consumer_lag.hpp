#pragma once
// Consumer lag per partition from librdkafka's statistics JSON (statistics.interval.ms), for the
// tributary_<stage>_consumer_lag gauge: how many records of a partition are not yet durably
// done. librdkafka's `consumer_lag_stored` (high watermark minus the stored offset, i.e. minus
// what Complete() made durable) is preferred; `consumer_lag` (minus the position handed to the
// stage) is the fallback for versions without it. Partitions whose lag is unknown (-1: no
// watermark or offset yet) and librdkafka's internal partition -1 are left out.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tributary::kafka {

struct PartitionLag {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t lag = 0;
};

// Unparseable or unexpected JSON yields nothing (statistics are a courtesy, never an error).
std::vector<PartitionLag> ParseConsumerLag(std::string_view statistics_json);

}  // namespace tributary::kafka
