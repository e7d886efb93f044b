// Items written directly in the protobuf JSON mapping (item_json.hpp) hold exactly the values
// protobuf's own printer gives: compared as parsed JSON, on items built to reach every field
// and edge (negative and sub-second times, escapes, empty parts) and on every item of every
// fixture and corpus feed.
#include "services/parser/item_json.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/codec/codec.hpp"
#include "services/parser/tests/fixture.hpp"

namespace tributary::parser {
namespace {

namespace fs = std::filesystem;

void ExpectSameAsProtobuf(const v1::Item& item, const std::string& where) {
  std::string ours;
  AppendItemJson(item, ours);
  const auto parsed = nlohmann::json::parse(ours, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << where << ": not JSON: " << ours;
  EXPECT_EQ(parsed, nlohmann::json::parse(codec::ToJson(item))) << where << "\n" << ours;
}

TEST(ItemJson, EveryFieldAndEdgeAsProtobufPrintsIt) {
  v1::Item item;
  ExpectSameAsProtobuf(item, "empty item");
  item.set_source_id(-9'007'199'254'740'993);  // beyond a double's exact integers
  item.set_external_id("id \"quoted\" \\ back\tslash\n\x01\x1F \xE2\x80\xA8 \xC3\xA9 </script>");
  item.set_url("https://e.example/?a=1&b=<2>");
  item.set_title("caf\xC3\xA9 \xF0\x9F\x98\x80");
  item.add_authors("Ann");
  item.add_authors("");
  item.add_categories("a,b");
  auto* enclosure = item.add_enclosures();
  enclosure->set_url("https://e.example/a.mp3");
  item.add_enclosures()->set_length(-1);
  item.mutable_published_at()->set_seconds(-62'135'596'800);  // 0001-01-01T00:00:00Z
  item.mutable_updated_at()->set_seconds(253'402'300'799);    // 9999-12-31T23:59:59Z
  item.mutable_updated_at()->set_nanos(120'000'000);
  item.mutable_observed_at()->set_seconds(-1);
  item.mutable_observed_at()->set_nanos(999'999'999);
  item.set_content_hash(std::string("\x00\xFF\x10", 3));
  item.set_request_id("r");
  item.add_author_details()->set_email("e@x.com");
  auto* person = item.add_author_details();
  person->set_name("N");
  person->set_uri("https://x.com/");
  item.set_article_wanted(true);
  ExpectSameAsProtobuf(item, "every field");
  for (const int nanos : {1, 1'000, 1'000'000, 10'000, 999'000}) {
    item.mutable_observed_at()->set_nanos(nanos);
    ExpectSameAsProtobuf(item, "nanos " + std::to_string(nanos));
  }
  for (const std::size_t size : {0, 1, 2, 3, 4, 32}) {
    item.set_content_hash(std::string(size, '\xAB'));
    ExpectSameAsProtobuf(item, "hash of " + std::to_string(size) + " bytes");
  }
}

TEST(ItemJson, EveryItemOfEveryFixtureAndCorpusFeed) {
  std::vector<fs::path> roots = {TRIBUTARY_PARSER_FIXTURES};
  const auto corpus = fs::path(TRIBUTARY_SOURCE_DIR) / ".." / "shared" / "corpus" / "feeds";
  if (fs::exists(corpus)) roots.push_back(corpus);
  std::size_t items = 0;
  for (const auto& root : roots) {
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream file(entry.path(), std::ios::binary);
      std::ostringstream body;
      body << file.rdbuf();
      const auto doc = Parse(testing::InputFor(body.str(), "https://feeds.example/feed.xml"));
      if (!doc) continue;
      for (const auto& item : doc->items) {
        ExpectSameAsProtobuf(item, entry.path().string());
        ++items;
      }
    }
  }
  EXPECT_GT(items, 50U) << "too few items compared to mean anything";
}

}  // namespace
}  // namespace tributary::parser
