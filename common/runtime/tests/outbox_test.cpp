#include "common/runtime/outbox.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/base/testing/fake_clock.hpp"
#include "common/runtime/testing/in_memory_bus.hpp"

namespace tributary::runtime {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

constexpr const char* kTrace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

kafka::Message At(std::int64_t offset) {
  return {.topic = "t.in", .offset = offset, .headers = {{"traceparent", kTrace}}};
}

std::vector<kafka::Record> Two() {
  return {{.topic = "t.out", .key = "a", .value = "1"},
          {.topic = "t.events", .key = "a", .value = "2"}};
}

struct Harness {
  explicit Harness(bool hold) { bus.hold = hold; }
  tributary::testing::FakeClock clock;
  testing::InMemoryBus bus;
  metrics::Registry registry;
  metrics::Counter& reproduced = registry.AddCounter("t_reproduced_total", "test");
  DeadLetterer dead_letterer{bus, bus, [](auto) { return true; }};
  Outbox outbox{bus, dead_letterer, bus, clock, {.retry_delay = 1s, .reproduced = &reproduced}};
};

TEST(Outbox, CompletesOnlyAfterEveryRecordIsAcknowledged) {
  Harness h(/*hold=*/true);
  bool delivered = false;
  h.outbox.Emit(At(5), Two(), [&] { delivered = true; });
  EXPECT_EQ(h.bus.Held(), 2U);
  h.bus.Deliver();
  EXPECT_THAT(h.bus.Completed(), IsEmpty()) << "one record is still in flight";
  EXPECT_FALSE(delivered);
  h.bus.Deliver();
  EXPECT_THAT(h.bus.Completed(), ElementsAre(5));
  EXPECT_TRUE(delivered);
}

TEST(Outbox, ContinuesTheTraceWithOneSpanPerMessageAndSetsTheContentType) {
  Harness h(/*hold=*/false);
  h.outbox.Emit(At(1), Two());
  const auto sent = h.bus.Sent();
  ASSERT_EQ(sent.size(), 2U);
  const auto trace = kafka::FindHeader(sent[0].headers, "traceparent").value_or("");
  EXPECT_EQ(trace.substr(0, 36), std::string(kTrace).substr(0, 36)) << "the same trace";
  EXPECT_NE(trace, kTrace) << "a span of the stage's own";
  EXPECT_EQ(kafka::FindHeader(sent[1].headers, "traceparent"), trace);
  EXPECT_EQ(kafka::FindHeader(sent[0].headers, "content-type"), "application/x-protobuf");
}

TEST(Outbox, NoRecordsCompletesAtOnce) {
  Harness h(/*hold=*/true);
  h.outbox.Emit(At(2), {});
  EXPECT_THAT(h.bus.Completed(), ElementsAre(2));
}

TEST(Outbox, AFailedDeliveryProducesEveryRecordAgainAfterTheDelayThenCompletes) {
  Harness h(/*hold=*/true);
  h.outbox.Emit(At(8), Two());
  h.bus.Deliver(tl::unexpected(Error{ErrorKind::kRetryable, "kafka.timeout", "timed out"}));
  h.bus.Deliver();
  EXPECT_THAT(h.bus.Completed(), IsEmpty());
  EXPECT_EQ(h.outbox.PendingRetries(), 1U);
  h.outbox.Tick();
  EXPECT_EQ(h.bus.Held(), 0U) << "not before the retry delay";
  h.clock.Advance(1s);
  h.outbox.Tick();
  ASSERT_EQ(h.bus.Held(), 2U) << "both records again: downstream is idempotent";
  EXPECT_EQ(h.reproduced.Value(), 1);
  h.bus.DeliverAll();
  EXPECT_THAT(h.bus.Completed(), ElementsAre(8));
  EXPECT_EQ(h.bus.Sent().size(), 4U);
}

TEST(Outbox, ARecordRefusedAtSendIsRetriedToo) {
  Harness h(/*hold=*/false);
  h.bus.refuse_next_send = 1;
  h.outbox.Emit(At(4), Two());
  EXPECT_THAT(h.bus.Completed(), IsEmpty());
  h.clock.Advance(1s);
  h.outbox.Tick();
  EXPECT_THAT(h.bus.Completed(), ElementsAre(4));
}

TEST(Outbox, APermanentDeliveryFailureDeadLettersTheMessage) {
  Harness h(/*hold=*/true);
  h.outbox.Emit(At(6), Two());
  h.bus.Deliver(tl::unexpected(Error{ErrorKind::kPermanent, "kafka.too_large", "too large"}));
  h.bus.Deliver();
  h.outbox.Tick();
  EXPECT_THAT(h.bus.DeadLettered(), ElementsAre(Pair(6, "kafka.too_large")));
  EXPECT_THAT(h.bus.Completed(), ElementsAre(6));
  EXPECT_EQ(h.reproduced.Value(), 0);
}

TEST(Outbox, DeliveriesAfterDetachCompleteNothing) {
  Harness h(/*hold=*/true);
  h.outbox.Emit(At(9), Two());
  h.outbox.Detach();
  h.bus.DeliverAll();
  EXPECT_THAT(h.bus.Completed(), IsEmpty());
}

}  // namespace
}  // namespace tributary::runtime
