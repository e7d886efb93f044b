// Normalizing on worker threads must change nothing but the time: the same items in the same
// order, the same cut at the item limit, the same warnings.
#include "services/parser/normalize_pool.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "services/parser/parser.hpp"
#include "services/parser/tests/fixture.hpp"

namespace tributary::parser {
namespace {

using testing::InputFor;

// Each item as text, and the warnings: all that Parse hands on.
std::vector<std::string> Outcome(const std::string& body, std::size_t workers,
                                 std::size_t max_items = Limits{}.max_items,
                                 std::size_t workers_after = Limits{}.normalize_workers_after) {
  Limits limits;
  limits.normalize_workers = workers;
  limits.normalize_workers_after = workers_after;
  limits.max_items = max_items;
  const auto parsed = Parse(InputFor(body, "https://example.com/feed"), limits);
  if (!parsed) return {"error: " + parsed.error().message};
  std::vector<std::string> out;
  for (const auto& item : parsed->items) out.push_back(item.DebugString());
  for (const auto& warning : parsed->warnings) out.push_back("warning: " + warning);
  return out;
}

std::string Feed(int items, const std::string& language_after = {}) {
  std::string out = "<rss version=\"2.0\"><channel><title>t</title>";
  for (int i = 0; i < items; ++i) {
    // Every fifth entry carries nothing: it is skipped and does not count toward the limit.
    out += i % 5 == 4 ? std::string("<item></item>")
                      : "<item><title>Item " + std::to_string(i) + "</title><link>/p/" +
                            std::to_string(i) + "</link><description>&lt;p&gt;text " +
                            std::to_string(i) + "&lt;/p&gt;</description></item>";
  }
  if (!language_after.empty()) out += "<language>" + language_after + "</language>";
  return out + "</channel></rss>";
}

TEST(NormalizePool, SameItemsInTheSameOrderAsOneThread) {
  const auto body = Feed(500);
  const auto one = Outcome(body, 0);
  ASSERT_EQ(one.size(), 401U);  // 400 items and the warning about 100 empty entries
  EXPECT_EQ(Outcome(body, 1), one);
  EXPECT_EQ(Outcome(body, 3), one);
}

TEST(NormalizePool, TheItemLimitCutsAtTheSameEntry) {
  // 150 items kept: entries 0..186 hold them (with 37 empty ones among them), whatever is
  // still being normalized when the reader asks whether the list is full. (The threads start
  // after the first 64 entries.)
  const auto body = Feed(500);
  const auto one = Outcome(body, 0, 150);
  ASSERT_GE(one.size(), 151U);
  EXPECT_NE(one[149].find("Item 186"), std::string::npos) << one[149];
  EXPECT_EQ(Outcome(body, 2, 150), one);
  for (const std::size_t cap : {7, 52, 53, 70}) {
    EXPECT_EQ(Outcome(body, 3, cap), Outcome(body, 0, cap)) << cap;
  }
}

TEST(NormalizePool, ALanguageAfterTheItemsReachesEveryItem) {
  const auto body = Feed(100, "de");
  const auto one = Outcome(body, 0);
  ASSERT_GE(one.size(), 2U);
  EXPECT_NE(one.front().find("language: \"de\""), std::string::npos) << one.front();
  EXPECT_EQ(Outcome(body, 2), one);
}

TEST(NormalizePool, EveryFixtureParsesAlike) {
  std::size_t files = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(TRIBUTARY_PARSER_FIXTURES)) {
    if (!entry.is_regular_file()) continue;
    SCOPED_TRACE(entry.path().string());
    const auto body = testing::ReadFixture(
        std::filesystem::relative(entry.path(), TRIBUTARY_PARSER_FIXTURES).string());
    // The fixtures are short: threads from the first entry, or the pool would never start.
    EXPECT_EQ(Outcome(body, 2, Limits{}.max_items, 0), Outcome(body, 0));
    ++files;
  }
  EXPECT_GE(files, 20U);
}

TEST(NormalizePool, DrainHandsOverInOrderAndCountsEmptyEntries) {
  NormalizeContext context;
  context.base_url = "https://example.com/";
  NormalizePool pool(2, context);
  std::vector<v1::Item> items;
  for (int round = 0; round < 2; ++round) {  // the pool is used again after a drain
    for (int i = 0; i < 40; ++i) {
      RawEntry entry;
      if (i % 10 != 9) entry.title = "t" + std::to_string(i);
      pool.Submit(std::move(entry));
    }
    EXPECT_EQ(pool.Pending(), 40U);
    EXPECT_EQ(pool.Drain(items), 4U);
    EXPECT_EQ(pool.Pending(), 0U);
  }
  ASSERT_EQ(items.size(), 72U);
  EXPECT_EQ(items[0].title(), "t0");
  EXPECT_EQ(items[9].title(), "t10");
  EXPECT_EQ(items[36].title(), "t0");
  EXPECT_EQ(items[71].title(), "t38");
}

}  // namespace
}  // namespace tributary::parser
