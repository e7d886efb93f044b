// The housekeeping throttle: due on the first call, then once per interval.
#include "common/base/at_most_every.hpp"

#include <gtest/gtest.h>

#include "common/base/testing/fake_clock.hpp"

namespace tributary {
namespace {

using namespace std::chrono_literals;

TEST(AtMostEvery, DueFirstThenOncePerInterval) {
  testing::FakeClock clock;
  AtMostEvery every(1min);
  EXPECT_TRUE(every.Due(clock.Now()));
  EXPECT_FALSE(every.Due(clock.Now()));
  clock.Advance(59s);
  EXPECT_FALSE(every.Due(clock.Now()));
  clock.Advance(1s);
  EXPECT_TRUE(every.Due(clock.Now()));
  clock.Advance(30s);
  EXPECT_FALSE(every.Due(clock.Now()));  // the interval restarted at the last true
}

}  // namespace
}  // namespace tributary
