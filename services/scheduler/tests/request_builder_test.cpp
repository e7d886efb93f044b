#include "services/scheduler/request_builder.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace tributary::scheduler {
namespace {

DueSource Source(std::string config_json) {
  return {.id = 7,
          .url = "https://example.com/feed.xml",
          .kind = "sitemap",
          .etag = "\"v3\"",
          .last_modified = "Mon, 30 Nov 2026 10:00:00 GMT",
          .config_json = std::move(config_json)};
}

TEST(RequestBuilder, CopiesTheSourceValidatorsAndIdentity) {
  std::vector<std::string> warnings;
  const auto request = BuildRequest(Source("{}"), "abc", 1'800'000'000, &warnings);
  EXPECT_EQ(request.source_id(), 7);
  EXPECT_EQ(request.url(), "https://example.com/feed.xml");
  EXPECT_EQ(request.kind(), v1::SOURCE_KIND_SITEMAP);
  EXPECT_EQ(request.etag(), "\"v3\"");
  EXPECT_EQ(request.last_modified(), "Mon, 30 Nov 2026 10:00:00 GMT");
  EXPECT_EQ(request.request_id(), "abc");
  EXPECT_EQ(request.depth(), 0U);
  EXPECT_EQ(request.attempt(), 1U);
  EXPECT_EQ(request.requested_at().seconds(), 1'800'000'000);
  EXPECT_TRUE(warnings.empty());
}

TEST(RequestBuilder, APasswordInTheSourceUrlNeverGoesOnTheTopic) {
  auto source = Source("{}");
  source.url = "https://reader:hunter2@example.com/feed.xml";
  EXPECT_EQ(BuildRequest(source, "r", 0, nullptr).url(), "https://reader:***@example.com/feed.xml");
}

TEST(RequestBuilder, ARequestAfterAnExpiredLeaseIsASecondAttempt) {
  auto source = Source("{}");
  source.lease_expired = true;
  EXPECT_EQ(BuildRequest(source, "r", 0, nullptr).attempt(), 2U);
}

TEST(RequestBuilder, EveryKindMapsAndUnknownOnesAreAuto) {
  const std::pair<const char*, v1::SourceKind> kinds[] = {
      {"rss", v1::SOURCE_KIND_RSS},       {"atom", v1::SOURCE_KIND_ATOM},
      {"jsonfeed", v1::SOURCE_KIND_JSONFEED}, {"sitemap", v1::SOURCE_KIND_SITEMAP},
      {"json_api", v1::SOURCE_KIND_JSON_API}, {"page", v1::SOURCE_KIND_PAGE},
      {"auto", v1::SOURCE_KIND_AUTO},     {"gopher", v1::SOURCE_KIND_AUTO}};
  for (const auto& [text, kind] : kinds) EXPECT_EQ(KindFromText(text), kind) << text;
}

TEST(RequestBuilder, TheSourceConfigBecomesOptions) {
  std::vector<std::string> warnings;
  const auto request = BuildRequest(
      Source(R"({"json_mapping": {"items": "/data/posts", "title": "/headline"},
                 "fetch_pages": true, "max_depth": 2, "respect_robots": true,
                 "note": "kept by people, ignored here"})"),
      "r", 0, &warnings);
  const auto& options = request.options();
  EXPECT_EQ(options.json_mapping().at("items"), "/data/posts");
  EXPECT_EQ(options.json_mapping().at("title"), "/headline");
  EXPECT_TRUE(options.fetch_pages());
  EXPECT_EQ(options.max_depth(), 2U);
  EXPECT_TRUE(options.respect_robots());
  EXPECT_TRUE(warnings.empty());
}

TEST(RequestBuilder, BadOptionsAreSkippedWithAWarningEach) {
  std::vector<std::string> warnings;
  const auto request = BuildRequest(
      Source(R"({"json_mapping": {"items": 3}, "fetch_pages": "yes", "max_depth": -1})"), "r", 0,
      &warnings);
  EXPECT_TRUE(request.options().json_mapping().empty());
  EXPECT_FALSE(request.options().fetch_pages());
  EXPECT_EQ(request.options().max_depth(), 0U);
  ASSERT_EQ(warnings.size(), 3U);
  EXPECT_EQ(warnings[0], "config.fetch_pages is not a boolean");
  EXPECT_EQ(warnings[1], "config.json_mapping.items is not a string");
  EXPECT_EQ(warnings[2], "config.max_depth is not a non-negative integer");
}

TEST(RequestBuilder, RequestIdsAreWellFormedAndUnique) {
  std::set<std::string> ids;
  const std::regex hex32("[0-9a-f]{32}");
  for (int i = 0; i < 1000; ++i) {
    const auto id = NewRequestId();
    EXPECT_TRUE(std::regex_match(id, hex32)) << id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 1000U);
}

}  // namespace
}  // namespace tributary::scheduler
