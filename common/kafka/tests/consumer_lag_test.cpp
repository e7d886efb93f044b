#include "common/kafka/consumer_lag.hpp"

#include <gtest/gtest.h>

namespace tributary::kafka {
namespace {

// The shape of librdkafka's statistics (STATISTICS.md), cut down to the fields read here.
constexpr const char* kStatistics = R"({
  "name": "tributary-loader#consumer-1", "type": "consumer",
  "topics": {
    "tributary.embedded": {"topic": "tributary.embedded", "partitions": {
      "0": {"partition": 0, "consumer_lag": 3, "consumer_lag_stored": 40},
      "1": {"partition": 1, "consumer_lag": 0, "consumer_lag_stored": 0},
      "2": {"partition": 2, "consumer_lag": -1, "consumer_lag_stored": -1},
      "-1": {"partition": -1, "consumer_lag": -1, "consumer_lag_stored": -1}}},
    "tributary.source.events": {"topic": "tributary.source.events", "partitions": {
      "5": {"partition": 5, "consumer_lag": 7}}}
  }
})";

TEST(ConsumerLag, StoredLagPerKnownPartitionAndPlainLagAsFallback) {
  const auto lags = ParseConsumerLag(kStatistics);
  ASSERT_EQ(lags.size(), 3U);
  EXPECT_EQ(lags[0].topic, "tributary.embedded");
  EXPECT_EQ(lags[0].partition, 0);
  EXPECT_EQ(lags[0].lag, 40) << "the stored lag counts work handed out but not yet durable";
  EXPECT_EQ(lags[1].partition, 1);
  EXPECT_EQ(lags[1].lag, 0);
  EXPECT_EQ(lags[2].topic, "tributary.source.events");
  EXPECT_EQ(lags[2].partition, 5);
  EXPECT_EQ(lags[2].lag, 7) << "without consumer_lag_stored, consumer_lag";
}

TEST(ConsumerLag, UnreadableStatisticsYieldNothing) {
  EXPECT_TRUE(ParseConsumerLag("").empty());
  EXPECT_TRUE(ParseConsumerLag("{not json").empty());
  EXPECT_TRUE(ParseConsumerLag(R"({"topics": []})").empty());
  EXPECT_TRUE(ParseConsumerLag(R"({"topics": {"t": {"partitions": {"0": 5}}}})").empty());
}

}  // namespace
}  // namespace tributary::kafka
