// The consumer's at-least-once contract against the real broker: concurrent, out-of-order
// processing; a consumer abandoned mid-way (as a crash would) never has a committed offset past
// an unfinished message; its successor sees every message it did not finish.
#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "common/kafka/consumer.hpp"
#include "common/kafka/producer.hpp"
#include "tests/support/kafka_admin.hpp"
#include "tests/support/test_env.hpp"

namespace tributary {
namespace {

using namespace std::chrono_literals;
using testing::RequireEnv;
using testing::UniqueName;

constexpr int kPartitions = 6;
constexpr int kMessages = 10'000;

// A pool of workers that finish messages in a scrambled order: most are quick, every 37th is
// slow, so later messages routinely complete before earlier ones.
class ScramblingWorkers {
 public:
  ScramblingWorkers(kafka::Consumer& consumer, int threads) : consumer_(consumer) {
    for (int i = 0; i < threads; ++i) {
      threads_.emplace_back([this, i] { Work(static_cast<unsigned>(i)); });
    }
  }
  ~ScramblingWorkers() { Stop(); }

  void Submit(kafka::Message message) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(message));
    }
    ready_.notify_one();
  }

  // From now on, finished work is neither recorded nor completed: a crash.
  void Crash() {
    std::lock_guard lock(mutex_);
    crashed_ = true;
  }

  void Stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_all();
    for (auto& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }

  std::set<std::pair<int, std::int64_t>> Finished() {
    std::lock_guard lock(mutex_);
    return finished_;
  }
  std::set<int> Values() {
    std::lock_guard lock(mutex_);
    return values_;
  }
  std::size_t FinishedCount() {
    std::lock_guard lock(mutex_);
    return finished_.size();
  }

 private:
  void Work(unsigned seed) {
    std::mt19937 rng(seed);
    for (;;) {
      kafka::Message message;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        message = std::move(queue_.front());
        queue_.pop_front();
      }
      const int value = std::stoi(message.value);
      std::this_thread::sleep_for(value % 37 == 0 ? 20ms : std::chrono::microseconds(rng() % 200));
      {
        std::lock_guard lock(mutex_);
        if (crashed_) continue;
        // Recorded before Complete: the durable effect exists before its offset may be stored.
        finished_.emplace(message.partition, message.offset);
        values_.insert(value);
      }
      consumer_.Complete(message);
    }
  }

  kafka::Consumer& consumer_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<kafka::Message> queue_;
  std::set<std::pair<int, std::int64_t>> finished_;
  std::set<int> values_;
  bool crashed_ = false;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

TEST(KafkaConsumer, AbandonedConsumerNeverCommitsPastUnfinishedWorkAndSuccessorSeesTheRest) {
  const auto brokers = RequireEnv("TRIBUTARY_KAFKA_BROKERS");
  const auto topic = UniqueName("it-consumer");
  const auto group = UniqueName("it-group");
  testing::CreateTopic(brokers, topic, kPartitions);
  kafka::Settings settings{.brokers = brokers};

  {
    kafka::Producer producer(settings, "test");
    for (int i = 0; i < kMessages; ++i) {
      ASSERT_TRUE(producer.Produce({.topic = topic, .key = "k" + std::to_string(i),
                                   .value = std::to_string(i)},
                                  [](const Result<void>& r) { ASSERT_TRUE(r); }));
    }
    ASSERT_TRUE(producer.Flush(30s));
  }

  const kafka::ConsumerSettings consumer_settings{.stage = "test", .group_id = group,
                                                  .topics = {topic},
                                                  .max_in_flight_per_partition = 64,
                                                  .max_in_flight_total = 256};
  // First consumer: process about 40% of the messages, then crash with work in flight.
  std::set<std::pair<int, std::int64_t>> finished_by_first;
  std::set<int> values_by_first;
  std::size_t in_flight_at_crash = 0;
  {
    kafka::Consumer consumer(settings, consumer_settings);
    ScramblingWorkers workers(consumer, 4);
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    bool crashed = false;
    while (!crashed && std::chrono::steady_clock::now() < deadline) {
      auto message = consumer.Poll(100ms);
      if (!message) continue;
      // Crash right after handing out a slow message once 40% is done, so the crash always
      // leaves unfinished work behind (the slow one, at least).
      const bool slow = std::stoi(message->value) % 37 == 0;
      workers.Submit(std::move(*message));
      if (slow && workers.FinishedCount() >= kMessages * 4 / 10) {
        workers.Crash();
        crashed = true;
      }
    }
    ASSERT_TRUE(crashed) << "only " << workers.FinishedCount() << " finished in time";
    in_flight_at_crash = consumer.InFlight();
    consumer.Close(0ms);  // abandon: nothing in flight is stored
    workers.Stop();
    finished_by_first = workers.Finished();
    values_by_first = workers.Values();
  }
  EXPECT_GT(in_flight_at_crash, 0U) << "the crash must leave work in flight to mean anything";

  const auto committed = testing::CommittedOffsets(brokers, group, topic, kPartitions);
  std::int64_t committed_total = 0;
  for (const auto& [partition, offset] : committed) {
    if (offset < 0) continue;  // nothing committed for this partition
    committed_total += offset;
    for (std::int64_t o = 0; o < offset; ++o) {
      ASSERT_TRUE(finished_by_first.contains({partition, o}))
          << "partition " << partition << " committed " << offset << " past unfinished " << o;
    }
  }
  EXPECT_GT(committed_total, 0);
  EXPECT_LT(committed_total, kMessages);

  // Second consumer in the same group: starts at the committed offsets and sees the rest.
  std::set<int> values_by_second;
  {
    kafka::Consumer consumer(settings, consumer_settings);
    ScramblingWorkers workers(consumer, 4);
    const auto deadline = std::chrono::steady_clock::now() + 90s;
    auto all_seen = [&] {
      auto seen = workers.Values();
      seen.insert(values_by_first.begin(), values_by_first.end());
      return seen.size() == static_cast<std::size_t>(kMessages);
    };
    std::size_t polls_since_check = 0;
    bool done = false;
    while (!done && std::chrono::steady_clock::now() < deadline) {
      if (auto message = consumer.Poll(100ms)) workers.Submit(std::move(*message));
      if (++polls_since_check >= 500) {
        polls_since_check = 0;
        done = all_seen();
      }
    }
    // Let the last completions land, then leave cleanly so the final offsets are committed.
    const auto drain = std::chrono::steady_clock::now() + 30s;
    while (consumer.InFlight() > 0 && std::chrono::steady_clock::now() < drain) {
      consumer.Poll(10ms);
    }
    consumer.Close(10s);
    workers.Stop();
    values_by_second = workers.Values();
  }
  std::set<int> all = values_by_first;
  all.insert(values_by_second.begin(), values_by_second.end());
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kMessages)) << "every message seen at least once";

  // Whatever the first consumer committed, the second did not see again; whatever it did not
  // commit, the second saw (at-least-once, not at-most-once).
  const auto final_offsets = testing::CommittedOffsets(brokers, group, topic, kPartitions);
  std::int64_t final_total = 0;
  for (const auto& [partition, offset] : final_offsets) final_total += std::max<std::int64_t>(0, offset);
  EXPECT_EQ(final_total, kMessages) << "the successor committed everything once done";
}

// A one-partition topic holding the values "0" .. "count-1" at offsets 0 .. count-1.
void ProduceNumbered(const kafka::Settings& settings, const std::string& topic, int count) {
  testing::CreateTopic(settings.brokers, topic, 1);
  kafka::Producer producer(settings, "test");
  for (int i = 0; i < count; ++i) {
    ASSERT_TRUE(producer.ProduceAndWait({.topic = topic, .value = std::to_string(i)}, 10s));
  }
}

// Polls until `count` messages are held (or 30 s passed) and returns them, none completed.
std::vector<kafka::Message> Hold(kafka::Consumer& consumer, std::size_t count) {
  std::vector<kafka::Message> held;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (held.size() < count && std::chrono::steady_clock::now() < deadline) {
    if (auto m = consumer.Poll(100ms)) held.push_back(std::move(*m));
  }
  return held;
}

// The next message Poll hands out within 30 s, if any.
std::optional<kafka::Message> Next(kafka::Consumer& consumer) {
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  std::optional<kafka::Message> next;
  while (!next && std::chrono::steady_clock::now() < deadline) next = consumer.Poll(100ms);
  return next;
}

TEST(KafkaConsumer, BackpressurePausesAtTheInFlightLimitWithoutLosingMessages) {
  const auto brokers = RequireEnv("TRIBUTARY_KAFKA_BROKERS");
  const auto topic = UniqueName("it-backpressure");
  kafka::Settings settings{.brokers = brokers};
  ProduceNumbered(settings, topic, 100);
  kafka::Consumer consumer(settings, {.stage = "test", .group_id = UniqueName("it-group"),
                                      .topics = {topic}, .max_in_flight_per_partition = 10,
                                      .max_in_flight_total = 10});
  const auto held = Hold(consumer, 10);
  ASSERT_EQ(held.size(), 10U);
  // At the limit: polling gives nothing more while the held work is unfinished.
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(consumer.Poll(100ms).has_value());
  for (const auto& m : held) EXPECT_TRUE(consumer.Complete(m));
  // Resumed: the next message is the one right after the held ones, nothing skipped.
  const auto next = Next(consumer);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->offset, 10);
  EXPECT_EQ(next->value, "10");
  consumer.Close(0ms);
}

// librdkafka keeps a partition's pause flag across its revocation and re-assignment: a
// partition paused for backpressure when it was taken away came back paused and was never
// consumed again (a fetcher stalled for minutes in the chaos test after a broker restart).
TEST(KafkaConsumer, APartitionPausedWhenRevokedIsConsumedWhenItComesBack) {
  const auto brokers = RequireEnv("TRIBUTARY_KAFKA_BROKERS");
  const auto topic = UniqueName("it-pause-revoke");
  const auto group = UniqueName("it-group");
  kafka::Settings settings{.brokers = brokers};
  testing::CreateTopic(brokers, topic, 2);
  {
    kafka::Producer producer(settings, "test");
    for (int i = 0; i < 60; ++i) {
      ASSERT_TRUE(producer.ProduceAndWait(
          {.topic = topic, .key = "k" + std::to_string(i), .value = std::to_string(i)}, 10s));
    }
  }
  const kafka::ConsumerSettings limited{.stage = "a", .group_id = group, .topics = {topic},
                                        .max_in_flight_per_partition = 2};
  kafka::Consumer a(settings, limited);
  // A holds 2 messages of each partition: both are at the limit, paused.
  std::map<int, std::vector<kafka::Message>> held;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while ((held[0].size() < 2 || held[1].size() < 2) &&
         std::chrono::steady_clock::now() < deadline) {
    if (auto m = a.Poll(100ms)) held[m->partition].push_back(std::move(*m));
  }
  ASSERT_EQ(held[0].size(), 2U);
  ASSERT_EQ(held[1].size(), 2U);
  // B joins: one partition moves from A (paused) to B. B finishes one message and leaves, so
  // the partition comes back to A with messages left to consume.
  int moved = -1;
  {
    kafka::Consumer b(settings, {.stage = "b", .group_id = group, .topics = {topic}});
    const auto until = std::chrono::steady_clock::now() + 60s;
    while (moved < 0 && std::chrono::steady_clock::now() < until) {
      EXPECT_FALSE(a.Poll(50ms).has_value()) << "A is paused on both partitions";
      if (auto m = b.Poll(50ms)) {
        moved = m->partition;
        EXPECT_TRUE(b.Complete(*m));
      }
    }
    ASSERT_GE(moved, 0) << "B never got a partition";
    b.Close(10s);
  }
  // A finishes what it holds of the partition it kept; what it held of the moved one was
  // abandoned when that was revoked.
  for (const auto& m : held[1 - moved]) EXPECT_TRUE(a.Complete(m));
  std::optional<kafka::Message> from_moved;
  const auto until = std::chrono::steady_clock::now() + 60s;
  while (!from_moved && std::chrono::steady_clock::now() < until) {
    if (auto m = a.Poll(100ms)) {
      if (m->partition == moved) {
        from_moved = std::move(*m);
      } else {
        EXPECT_TRUE(a.Complete(*m));
      }
    }
  }
  EXPECT_TRUE(from_moved.has_value())
      << "partition " << moved << " came back to A and was never consumed";
  a.Close(0ms);
}

// A static member fenced by another with its group.instance.id gets a fatal error that only
// librdkafka's log and fatal_error() tell; Poll must throw (the stage then ends and is started
// again) instead of returning nothing for ever.
TEST(KafkaConsumer, AStaticMemberFencedByItsInstanceIdEndsWithAnError) {
  const auto brokers = RequireEnv("TRIBUTARY_KAFKA_BROKERS");
  const auto topic = UniqueName("it-fenced");
  const auto group = UniqueName("it-group");
  kafka::Settings settings{.brokers = brokers};
  testing::CreateTopic(brokers, topic, 1);
  ProduceNumbered(settings, topic, 4);
  const kafka::ConsumerSettings same{.stage = "a", .group_id = group,
                                     .group_instance_id = UniqueName("instance"),
                                     .topics = {topic}};
  kafka::Consumer a(settings, same);
  auto first = Next(a);
  ASSERT_TRUE(first.has_value()) << "A consumed nothing";
  ASSERT_TRUE(a.Complete(*first));
  // B joins with A's instance id: the broker hands A's membership to B, A is fenced when it
  // next talks to the group (its offset commits run every second).
  kafka::Consumer b(settings, same);
  bool threw = false;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!threw && std::chrono::steady_clock::now() < deadline) {
    try {
      if (auto m = a.Poll(100ms)) {
        EXPECT_TRUE(a.Complete(*m));
      }
      b.Poll(10ms);
    } catch (const std::runtime_error& e) {
      threw = true;
      EXPECT_NE(std::string(e.what()).find("fatal error"), std::string::npos) << e.what();
    }
  }
  EXPECT_TRUE(threw) << "A was fenced but Poll kept returning";
}

TEST(KafkaConsumer, AtTheTotalLimitPollWaitsForWorkAndPausesOnlyWhenTheLimitHolds) {
  const auto brokers = RequireEnv("TRIBUTARY_KAFKA_BROKERS");
  const auto topic = UniqueName("it-limit-wait");
  kafka::Settings settings{.brokers = brokers};
  ProduceNumbered(settings, topic, 40);
  metrics::Registry registry;
  kafka::Consumer consumer(settings,
                           {.stage = "limit",
                            .group_id = UniqueName("it-group"),
                            .topics = {topic},
                            .max_in_flight_per_partition = 100,
                            .max_in_flight_total = 10,
                            .pause_after = 400ms},
                           registry);
  auto& paused = registry.AddGauge("tributary_limit_paused_partitions",
                                   "Partitions paused because too much work is in flight.");
  auto held = Hold(consumer, 10);
  ASSERT_EQ(held.size(), 10U);

  // A short stall: Poll waits for a completion instead of pausing, and the completion from
  // another thread wakes it; the partition was never paused (its fetched messages are kept).
  EXPECT_FALSE(consumer.Poll(50ms).has_value());
  EXPECT_EQ(paused.Value(), 0);
  std::thread completer([&] {
    std::this_thread::sleep_for(100ms);
    consumer.Complete(held.front());
  });
  auto next = Next(consumer);
  completer.join();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->offset, 10);
  EXPECT_EQ(paused.Value(), 0) << "a stall shorter than pause_after must not pause";
  held.erase(held.begin());
  held.push_back(std::move(*next));

  // A stall longer than pause_after: the partition is paused, and resumed once work completes,
  // with nothing skipped.
  const auto stall_end = std::chrono::steady_clock::now() + 800ms;
  while (std::chrono::steady_clock::now() < stall_end) EXPECT_FALSE(consumer.Poll(100ms));
  EXPECT_EQ(paused.Value(), 1) << "a stall longer than pause_after pauses the partition";
  for (const auto& m : held) EXPECT_TRUE(consumer.Complete(m));
  next = Next(consumer);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->offset, 11);
  EXPECT_EQ(paused.Value(), 0);
  consumer.Close(0ms);
}

TEST(KafkaConsumer, ConsumerLagCountsWhatIsNotYetDurablyDone) {
  const auto brokers = RequireEnv("TRIBUTARY_KAFKA_BROKERS");
  const auto topic = UniqueName("it-lag");
  kafka::Settings settings{.brokers = brokers};
  ProduceNumbered(settings, topic, 20);
  settings.properties["statistics.interval.ms"] = "100";
  metrics::Registry registry;
  kafka::Consumer consumer(settings,
                           {.stage = "lag",
                            .group_id = UniqueName("it-group"),
                            .topics = {topic},
                            .max_in_flight_per_partition = 5,
                            .max_in_flight_total = 5},
                           registry);
  auto& lag = registry.GaugeFamily("tributary_lag_consumer_lag", "", {"topic", "partition"})
                  .Labels({topic, "0"});
  auto held = Hold(consumer, 5);
  ASSERT_EQ(held.size(), 5U);
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  for (const auto& m : held) ASSERT_TRUE(consumer.Complete(m));
  // Five more are handed out but not completed: they still count as lag.
  held.clear();
  bool settled = false;
  while (!settled && std::chrono::steady_clock::now() < deadline) {
    if (auto m = consumer.Poll(100ms)) held.push_back(std::move(*m));
    settled = held.size() == 5 && lag.Value() == 15;
  }
  EXPECT_EQ(held.size(), 5U);
  EXPECT_EQ(lag.Value(), 15) << "20 records, 5 durably done";
  consumer.Close(0ms);
}

}  // namespace
}  // namespace tributary
