#include "common/base/cpu_quota.hpp"

#include <gtest/gtest.h>

namespace tributary {
namespace {

TEST(CpuQuota, AQuotaCapsTheCoresRoundedUp) {
  EXPECT_EQ(CoresFromCpuMax("200000 100000\n", 64), 2U);  // limits.cpu: 2
  EXPECT_EQ(CoresFromCpuMax("150000 100000", 64), 2U);    // 1.5 cores: 2 threads
  EXPECT_EQ(CoresFromCpuMax("50000 100000", 64), 1U);     // half a core: still one
  EXPECT_EQ(CoresFromCpuMax("800000 100000", 4), 4U);     // never above the machine
}

TEST(CpuQuota, NoQuotaOrNoSenseIsTheMachine) {
  EXPECT_EQ(CoresFromCpuMax("max 100000\n", 8), 8U);
  EXPECT_EQ(CoresFromCpuMax("", 8), 8U);
  EXPECT_EQ(CoresFromCpuMax("garbage", 8), 8U);
  EXPECT_EQ(CoresFromCpuMax("100000 0", 8), 8U);
  EXPECT_EQ(CoresFromCpuMax("max 100000", 0), 1U);
  EXPECT_GE(AvailableCores(), 1U);
}

}  // namespace
}  // namespace tributary
