#include "common/base/traceparent.hpp"

#include <gtest/gtest.h>

namespace tributary::trace {
namespace {

constexpr std::string_view kParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(Traceparent, AChildKeepsTheTraceIdAndFlagsWithANewSpan) {
  const auto child = ChildTraceparent(kParent);
  ASSERT_EQ(child.size(), 55U);
  EXPECT_EQ(TraceIdOf(child), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(child.substr(53), "01");
  EXPECT_NE(child.substr(36, 16), "00f067aa0ba902b7") << "a span of its own";
  EXPECT_NE(ChildTraceparent(kParent), child) << "each derived record gets its own span";
  EXPECT_EQ(ChildTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")
                .substr(53),
            "00")
      << "an unsampled trace stays unsampled";
}

TEST(Traceparent, AMissingOrMalformedParentStartsANewTrace) {
  for (const std::string_view bad :
       {std::string_view(), std::string_view("garbage"),
        std::string_view("00-00000000000000000000000000000000-00f067aa0ba902b7-01"),
        std::string_view("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"),
        std::string_view("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"),
        std::string_view("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
        std::string_view("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x")}) {
    EXPECT_EQ(TraceIdOf(bad), "") << bad;
    const auto fresh = ChildTraceparent(bad);
    EXPECT_EQ(TraceIdOf(fresh).size(), 32U) << bad;
    EXPECT_NE(TraceIdOf(fresh), "4bf92f3577b34da6a3ce929d0e0e4736");
  }
}

TEST(Traceparent, ALaterVersionWithMoreFieldsIsContinued) {
  EXPECT_EQ(TraceIdOf("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-next"),
            "4bf92f3577b34da6a3ce929d0e0e4736");
}

TEST(Traceparent, NewTracesAreWellFormedAndDistinct) {
  const auto a = NewTraceparent();
  const auto b = NewTraceparent();
  EXPECT_EQ(TraceIdOf(a).size(), 32U);
  EXPECT_NE(TraceIdOf(a), TraceIdOf(b));
  EXPECT_EQ(a.substr(0, 3), "00-");
  EXPECT_EQ(a.substr(53), "01");
}

}  // namespace
}  // namespace tributary::trace
