#include "common/runtime/dead_letterer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/runtime/testing/in_memory_bus.hpp"

namespace tributary::runtime {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

kafka::Message At(std::int64_t offset) { return {.topic = "t.in", .offset = offset}; }
const Error kPoison{ErrorKind::kPermanent, "decode", "not a protobuf"};

TEST(DeadLetterer, PublishesThenCompletes) {
  testing::InMemoryBus bus;
  DeadLetterer dead_letterer(bus, bus, [](auto) { return true; });
  EXPECT_TRUE(dead_letterer.DeadLetter(At(7), kPoison));
  EXPECT_THAT(bus.DeadLettered(), ElementsAre(Pair(7, "decode")));
  EXPECT_THAT(bus.Completed(), ElementsAre(7));
}

TEST(DeadLetterer, RetriesWithGrowingBackoffWhileTheBrokerRefusesAndCompletesOnlyAfter) {
  testing::InMemoryBus bus;
  bus.fail_next_publish = 3;
  std::vector<std::chrono::milliseconds> waits;
  DeadLetterer dead_letterer(
      bus, bus,
      [&](std::chrono::milliseconds delay) {
        waits.push_back(delay);
        EXPECT_TRUE(bus.Completed().empty()) << "nothing completes before the DLQ took it";
        return true;
      },
      std::chrono::milliseconds(100), std::chrono::seconds(10));
  EXPECT_TRUE(dead_letterer.DeadLetter(At(3), kPoison));
  ASSERT_EQ(waits.size(), 3U);
  for (const auto wait : waits) EXPECT_LE(wait, std::chrono::milliseconds(400));
  EXPECT_THAT(bus.Completed(), ElementsAre(3));
}

TEST(DeadLetterer, AStoppingStageLeavesTheMessageUncompleted) {
  testing::InMemoryBus bus;
  bus.fail_next_publish = 100;
  int waited = 0;
  DeadLetterer dead_letterer(bus, bus, [&](auto) { return ++waited < 2; });
  EXPECT_FALSE(dead_letterer.DeadLetter(At(9), kPoison));
  EXPECT_EQ(waited, 2);
  EXPECT_TRUE(bus.Completed().empty()) << "its next owner sees it again";
  EXPECT_TRUE(bus.DeadLettered().empty());
}

}  // namespace
}  // namespace tributary::runtime
