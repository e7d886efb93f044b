#include "services/cli/slo_check.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tributary::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A healthy snapshot as `tributary status --json` prints it; each test spoils one part.
nlohmann::json Healthy() {
  return nlohmann::json::parse(R"({
    "groups": [
      {"group": "tributary-parser", "state": "Stable", "members": 2, "lag": 40},
      {"group": "tributary-loader", "state": "Empty", "members": 0, "lag": 0}],
    "dlq": [{"stage": "parser", "topic": "t.dlq.parser", "depth": 0}],
    "sources": {"total": 200, "enabled": 200, "failing": 3, "never_fetched": 0, "stale": 0,
                "fresh": 199, "failing_long": 0, "failing_for": "6h"},
    "errors_24h": {"fetches": 1000, "errors": 100, "error_rate": 0.1}})");
}

TEST(SloCheck, AHealthySnapshotBreachesNothing) {
  EXPECT_TRUE(BreachedSlos(Healthy(), {}).empty());
}

TEST(SloCheck, EachBreachIsNamedWithItsValueAndItsSetting) {
  auto s = Healthy();
  s["groups"][0]["lag"] = 10'001;
  s["groups"][1]["lag"] = 5;  // no member: nobody consumes it
  s["dlq"][0]["depth"] = 2;
  s["sources"]["fresh"] = 197;
  s["sources"]["failing_long"] = 2;
  s["errors_24h"]["errors"] = 300;
  EXPECT_THAT(
      BreachedSlos(s, {}),
      ElementsAre(
          "lag: tributary-parser has 10001 messages of lag (--max-lag 10000)",
          "stage down: tributary-loader has 5 messages of lag and no member consuming",
          "dead letters: t.dlq.parser holds 2 records (--max-dlq 0)",
          "freshness: 197 of 200 enabled sources (98.5 %) were fetched within twice their "
          "interval (--min-fresh-percent 99)",
          "failing sources: 2 enabled sources have failed for longer than 6h (--failing-for; "
          "`tributary sources list --failing`)",
          "fetch errors: 300 of 1000 fetches in 24 h failed (30.0 %, --max-error-percent 25)"));
}

TEST(SloCheck, ThresholdsAreTheSettings) {
  auto s = Healthy();
  s["groups"][0]["lag"] = 10'001;
  s["dlq"][0]["depth"] = 2;
  s["sources"]["fresh"] = 150;
  s["errors_24h"]["errors"] = 300;
  EXPECT_TRUE(BreachedSlos(s, {.max_lag = 20'000, .max_dlq = 2, .min_fresh_percent = 75,
                               .max_error_percent = 30})
                  .empty());
}

TEST(SloCheck, AFewFetchesAreNoErrorRateAndUnreadSectionsAreNotJudged) {
  auto s = Healthy();
  s["errors_24h"] = {{"fetches", kMinFetchesForErrorRate - 1}, {"errors", 19}};
  EXPECT_TRUE(BreachedSlos(s, {}).empty());
  s.erase("sources");
  s.erase("errors_24h");
  s["groups"][0] = {{"group", "tributary-parser"}, {"error", "broker down"}};
  EXPECT_TRUE(BreachedSlos(s, {}).empty()) << "the command exits 1 for those instead";
  s["sources"] = Healthy()["sources"];
  s["sources"]["enabled"] = 0;
  s["sources"]["fresh"] = 0;
  EXPECT_TRUE(BreachedSlos(s, {}).empty()) << "no enabled source: nothing is stale";
}

}  // namespace
}  // namespace tributary::cli
