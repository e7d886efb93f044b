#include "services/cli/app.hpp"

#include <gtest/gtest.h>

#include "common/config/spec.hpp"

namespace tributary::cli {
namespace {

TEST(CliApp, UnknownCommandAndBadFlagsExitNonZero) {
  EXPECT_EQ(App::Run({.args = {"frobnicate"}}), 2);
  EXPECT_EQ(App::Run({}), 2);
  EXPECT_EQ(App::Run({.args = {"version"}}), 0);
  EXPECT_EQ(App::Run({.args = {"migrate", "--help"}}), 0);
  EXPECT_THROW(App::Run({.args = {"migrate", "--pg-statement-timeout=soon"}}),
               config::ConfigError);
}

}  // namespace
}  // namespace tributary::cli
