#include "common/metrics/registry.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

namespace tributary::metrics {
namespace {

using ::testing::HasSubstr;

TEST(Registry, ExposesCountersAndGaugesWithHelpTypeAndLabels) {
  Registry registry;
  auto& consumed = registry.CounterFamily("tributary_parser_consumed_total",
                                          "Messages consumed.", {"topic", "partition"});
  consumed.Labels({"tributary.documents", "0"}).Inc();
  consumed.Labels({"tributary.documents", "0"}).Inc(2);
  registry.AddGauge("tributary_parser_in_flight", "Messages in flight.").Set(7);

  const auto text = registry.Expose();
  EXPECT_THAT(text, HasSubstr("# HELP tributary_parser_consumed_total Messages consumed.\n"
                              "# TYPE tributary_parser_consumed_total counter\n"
                              "tributary_parser_consumed_total{topic=\"tributary.documents\","
                              "partition=\"0\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE tributary_parser_in_flight gauge\n"
                              "tributary_parser_in_flight 7\n"));
}

TEST(Registry, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Registry registry;
  auto& h = registry.AddHistogram("tributary_loader_batch_seconds", "Batch latency.",
                                  {0.1, 1.0});
  h.Observe(0.05);
  h.Observe(0.5);
  h.Observe(0.5);
  h.Observe(3);
  const auto text = registry.Expose();
  EXPECT_THAT(text, HasSubstr("tributary_loader_batch_seconds_bucket{le=\"0.1\"} 1\n"
                              "tributary_loader_batch_seconds_bucket{le=\"1\"} 3\n"
                              "tributary_loader_batch_seconds_bucket{le=\"+Inf\"} 4\n"
                              "tributary_loader_batch_seconds_sum 4.05\n"
                              "tributary_loader_batch_seconds_count 4\n"));
}

TEST(Registry, ValueOnABucketBoundCountsInThatBucket) {
  Histogram h({1.0, 2.0});
  h.Observe(1.0);
  EXPECT_EQ(h.Read().cumulative_counts, (std::vector<std::uint64_t>{1, 1, 1}));
}

TEST(Registry, LabelValuesAreEscaped) {
  Registry registry;
  registry.CounterFamily("x_total", "X.", {"error"}).Labels({"a \"b\"\\\nc"}).Inc();
  EXPECT_THAT(registry.Expose(), HasSubstr(R"(x_total{error="a \"b\"\\\nc"} 1)"));
}

TEST(Registry, ConcurrentIncrementsAreNotLost) {
  Registry registry;
  auto& counter = registry.AddCounter("c_total", "C.");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) counter.Inc();
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counter.Value(), 40000);
}

TEST(Registry, RedeclaringWithAnotherTypeIsAProgrammingError) {
  Registry registry;
  registry.AddCounter("m", "M.");
  EXPECT_THROW(registry.AddGauge("m", "M."), std::logic_error);
  EXPECT_THROW(registry.CounterFamily("n", "N.", {"a"}).Labels({}), std::invalid_argument);
}

}  // namespace
}  // namespace tributary::metrics
