// `tributary parse` end to end: the binary a person runs, on fixtures written here.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/test_env.hpp"

namespace tributary::parser {
namespace {

using ::testing::HasSubstr;

std::string Cli() { return (::tributary::testing::BinDir() / "tributary").string(); }
std::string Fixture(const std::string& name) {
  return std::string(TRIBUTARY_PARSER_FIXTURES) + "/" + name;
}

TEST(ParseCli, PrintsMetadataAndEveryItemAsJson) {
  const auto result = ::tributary::testing::RunCommand(
      Cli() + " parse --base-url https://news.example.com/feed.xml " + Fixture("rss2_basic.xml"));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto json = nlohmann::json::parse(result.output);
  EXPECT_EQ(json["format"], "rss2");
  EXPECT_EQ(json["title"], "River & Stream News");
  EXPECT_EQ(json["updated"], "2025-06-10T02:00:00Z");
  ASSERT_EQ(json["items"].size(), 2U);
  EXPECT_EQ(json["items"][0]["externalId"], "urn:news:1001");
  EXPECT_EQ(json["items"][0]["canonicalUrl"], "https://news.example.com/posts/flood?id=7");
  EXPECT_EQ(json["items"][0]["enclosures"][0]["url"], "https://news.example.com/audio/flood.mp3");
  EXPECT_EQ(json["items"][0]["publishedAt"], "2025-06-09T22:30:00Z");
}

TEST(ParseCli, ReadsStdinWithKindAndMapping) {
  const auto result = ::tributary::testing::RunCommand(
      Cli() +
          " parse --compact --kind json_api --json-mapping items=/data/posts "
          "--json-mapping id=/uuid --json-mapping title=/headline -",
      R"({"data":{"posts":[{"uuid":"a","headline":"From stdin"}]}})");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto json = nlohmann::json::parse(result.output);
  EXPECT_EQ(json["format"], "json_api");
  EXPECT_EQ(json["items"][0]["title"], "From stdin");
}

TEST(ParseCli, UnparsableDocumentExitsOneWithTheReason) {
  const auto result = ::tributary::testing::RunCommand(Cli() + " parse - 2>&1", "not a feed");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.output, HasSubstr("unrecognised document"));
}

TEST(ParseCli, HelpDocumentsTheOptions) {
  const auto result = ::tributary::testing::RunCommand(Cli() + " parse --help");
  EXPECT_EQ(result.exit_code, 0);
  for (const char* flag : {"--base-url", "--content-type", "--kind", "--json-mapping"}) {
    EXPECT_THAT(result.output, HasSubstr(flag));
  }
}

}  // namespace
}  // namespace tributary::parser
