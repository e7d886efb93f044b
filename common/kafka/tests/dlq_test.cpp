#include "common/kafka/dlq.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace tributary::kafka {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Message Poison() {
  return {.topic = "tributary.items", .partition = 4, .offset = 1234, .key = "7/guid",
          .value = "garbage", .headers = {{"traceparent", "00-t-s-01"},
                                          {"x-tributary-stage", "parser"}}};
}

TEST(DlqRecord, CarriesOriginalBytesAndEveryDesignHeader) {
  const auto failed_at = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'123));
  const auto record = MakeDlqRecord("tributary.dlq.loader", "loader", Poison(),
                                    {ErrorKind::kPermanent, "decode", "bad wire format"}, failed_at);
  EXPECT_EQ(record.topic, "tributary.dlq.loader");
  EXPECT_EQ(record.key, "7/guid");
  EXPECT_EQ(record.value, "garbage");
  EXPECT_EQ(FindHeader(record.headers, kHeaderStage), "loader");
  EXPECT_EQ(FindHeader(record.headers, kHeaderErrorClass), "decode");
  EXPECT_EQ(FindHeader(record.headers, kHeaderError), "bad wire format");
  EXPECT_EQ(FindHeader(record.headers, kHeaderTopic), "tributary.items");
  EXPECT_EQ(FindHeader(record.headers, kHeaderPartition), "4");
  EXPECT_EQ(FindHeader(record.headers, kHeaderOffset), "1234");
  EXPECT_EQ(FindHeader(record.headers, kHeaderFailedAt), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(FindHeader(record.headers, "traceparent"), "00-t-s-01");
  // The earlier stage's header is replaced, not duplicated.
  EXPECT_EQ(std::count_if(record.headers.begin(), record.headers.end(),
                          [](const auto& h) { return h.first == kHeaderStage; }),
            1);
}

TEST(DlqRecord, RedriveLineageSurvivesASecondFailure) {
  auto original = Poison();
  original.headers.emplace_back(kHeaderRedrivenFrom, "tributary.dlq.loader/0/7");
  original.headers.emplace_back(kHeaderRedriveCount, "2");
  original.headers.emplace_back(kHeaderErrorClass, "old");
  const auto record = MakeDlqRecord("tributary.dlq.loader", "loader", original,
                                    {ErrorKind::kPermanent, "decode", "again"},
                                    std::chrono::system_clock::now());
  EXPECT_EQ(FindHeader(record.headers, kHeaderRedrivenFrom), "tributary.dlq.loader/0/7");
  EXPECT_EQ(FindHeader(record.headers, kHeaderRedriveCount), "2");
  EXPECT_EQ(FindHeader(record.headers, kHeaderErrorClass), "decode") << "the old one is dropped";
}

TEST(DlqRecord, ErrorTextIsMaskedAndBounded) {
  const std::string long_error = "connect postgresql://u:hunter2@db/x failed " + std::string(5000, 'x');
  const auto record = MakeDlqRecord("t", "loader", Poison(),
                                    {ErrorKind::kPermanent, "pg.sql", long_error},
                                    std::chrono::system_clock::now());
  const auto error = FindHeader(record.headers, kHeaderError).value();
  EXPECT_THAT(error, Not(HasSubstr("hunter2")));
  EXPECT_LE(error.size(), kMaxErrorHeaderBytes + 3);
}

}  // namespace
}  // namespace tributary::kafka
