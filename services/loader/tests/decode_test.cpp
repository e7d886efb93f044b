#include "services/loader/decode.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "services/loader/tests/fixtures.hpp"

namespace tributary::loader {
namespace {

using testing::MakeItem;

TEST(Decode, AnItemBecomesARowOfPlainValues) {
  auto item = MakeItem(5, "x", 1, 1'700'000'000);
  item.set_summary("");  // empty proto strings become NULL
  item.mutable_observed_at()->set_nanos(123'456'789);
  const auto row = ToItemRow(item);
  ASSERT_TRUE(row) << row.error().message;
  EXPECT_EQ(row->observed_at_us, 1'700'000'000'123'456);
  EXPECT_EQ(row->published_at_us, (1'700'000'000 - 3600) * 1'000'000LL);
  EXPECT_EQ(row->updated_at_us, std::nullopt);
  EXPECT_EQ(row->summary, std::nullopt);
  EXPECT_EQ(row->authors, std::vector<std::string>{"Ann \"the\" Author"});
  ASSERT_EQ(row->enclosures.size(), 1U);
  EXPECT_EQ(row->enclosures[0].url, "https://example.com/a.mp3");
  EXPECT_EQ(row->enclosures[0].length, 123);
  EXPECT_EQ(row->content_hash, testing::Hash(1));
}

TEST(Decode, RejectsInvalidItemsAsPermanent) {
  auto no_id = MakeItem(5, "x", 1);
  no_id.set_external_id("");
  auto short_hash = MakeItem(5, "x", 1);
  short_hash.set_content_hash("abc");
  auto no_source = MakeItem(0, "x", 1);
  auto nul = MakeItem(5, "x", 1);
  nul.set_title(std::string("a\0b", 3));
  auto no_time = MakeItem(5, "x", 1);
  no_time.clear_observed_at();
  auto article_short_hash = MakeItem(5, "x", 1);
  article_short_hash.mutable_article()->set_item_content_hash("abc");
  article_short_hash.mutable_article()->mutable_fetched_at()->set_seconds(1);
  for (const auto& bad : {no_id, short_hash, no_source, nul, no_time, article_short_hash}) {
    const auto row = ToItemRow(bad);
    ASSERT_FALSE(row);
    EXPECT_EQ(row.error().kind, ErrorKind::kPermanent);
    EXPECT_EQ(row.error().error_class, "invalid");
  }
}

TEST(Decode, AnArticleAndTheWishForOneBecomeRowFields) {
  auto wanted = MakeItem(5, "x", 1);
  wanted.set_article_wanted(true);
  const auto wish = ToItemRow(wanted);
  ASSERT_TRUE(wish) << wish.error().message;
  EXPECT_TRUE(wish->article_wanted);
  EXPECT_FALSE(wish->article.has_value());
  auto page = MakeItem(5, "x", 2);
  page.mutable_article()->set_item_content_hash(testing::Hash(1));
  page.mutable_article()->mutable_fetched_at()->set_seconds(1'700'000'100);
  page.mutable_article()->set_url("https://example.com/x/page");
  const auto article = ToItemRow(page);
  ASSERT_TRUE(article) << article.error().message;
  ASSERT_TRUE(article->article.has_value());
  EXPECT_EQ(article->article->item_content_hash, testing::Hash(1));
  EXPECT_EQ(article->article->fetched_at_us, 1'700'000'100'000'000);
  EXPECT_EQ(article->article->url, "https://example.com/x/page");
}

TEST(Decode, ChecksTheVectorAgainstItsDims) {
  auto embedded = testing::MakeEmbedded(MakeItem(1, "a", 1), 4, 0);
  const auto good = ToItemRow(embedded);
  ASSERT_TRUE(good);
  EXPECT_EQ(good->embedding->values, (std::vector<float>{1, 0.01F, 0.01F, 0.01F}));
  embedded.set_dims(5);
  EXPECT_FALSE(ToItemRow(embedded));
  // NaN passes here: PostgreSQL rejects it, and the batch split isolates the record.
  embedded.set_dims(4);
  embedded.set_vector(1, std::numeric_limits<float>::quiet_NaN());
  ASSERT_TRUE(ToItemRow(embedded));
  EXPECT_TRUE(std::isnan(ToItemRow(embedded)->embedding->values[1]));
}

TEST(Decode, PassagesAreCheckedOneByOne) {
  const auto good = testing::WithChunks(testing::MakeEmbedded(MakeItem(1, "a", 1), 4, 0), 2, 1);
  const auto row = ToItemRow(good);
  ASSERT_TRUE(row) << row.error().message;
  ASSERT_TRUE(row->embedding->chunked);
  ASSERT_EQ(row->embedding->chunks.size(), 2U);
  EXPECT_EQ(row->embedding->chunks[1].number, 1);
  EXPECT_EQ(row->embedding->chunks[1].char_begin, 10);
  EXPECT_EQ(row->embedding->chunks[1].char_end, 20);
  EXPECT_EQ(row->embedding->chunks[1].content_hash, testing::Hash(1001));
  EXPECT_EQ(row->embedding->chunks[1].values, (std::vector<float>{0.02F, 1, 0.02F, 0.02F}));

  auto misnumbered = good;
  misnumbered.mutable_chunks(1)->set_number(3);
  auto empty_span = good;
  empty_span.mutable_chunks(0)->set_char_end(0);
  auto short_hash = good;
  short_hash.mutable_chunks(0)->set_content_hash("abc");
  auto short_vector = good;
  short_vector.mutable_chunks(1)->mutable_vector()->RemoveLast();
  const std::vector<std::pair<v1::EmbeddedItem, std::string>> bad = {
      {misnumbered, "chunk 1 is numbered 3"},
      {empty_span, "chunk 0 spans characters 0..0"},
      {short_hash, "chunk 0 content_hash has 3 bytes"},
      {short_vector, "chunk 1 vector has 3 values but dims is 4"}};
  for (const auto& [embedded, why] : bad) {
    const auto refused = ToItemRow(embedded);
    ASSERT_FALSE(refused) << why;
    EXPECT_EQ(refused.error().error_class, "invalid");
    EXPECT_NE(refused.error().message.find(why), std::string::npos) << refused.error().message;
  }
}

TEST(Decode, UndecodableBytesAreADecodeError) {
  kafka::Message message;
  message.topic = "t";
  message.value = "\xff\xff\xff not protobuf";
  const auto record = DecodeRecord(message, InputKind::kItem);
  ASSERT_FALSE(record);
  EXPECT_EQ(record.error().kind, ErrorKind::kPermanent);
}

TEST(Decode, AcceptsTheJsonMapping) {
  kafka::Message message;
  message.topic = "t";
  message.value = codec::ToJson(MakeItem(9, "j", 1));
  message.headers = {{"content-type", "application/json"}};
  const auto record = DecodeRecord(message, InputKind::kItem);
  ASSERT_TRUE(record) << record.error().message;
  EXPECT_EQ(std::get<ItemRow>(*record).source_id, 9);
}

TEST(Decode, AuthorDetailsAndTheSourcesOwnFeedMetadataBecomeRows) {
  auto item = MakeItem(5, "x", 1);
  auto* person = item.add_author_details();
  person->set_name("Ann");
  person->set_email("ann@example.com");
  const auto row = ToItemRow(item);
  ASSERT_TRUE(row) << row.error().message;
  ASSERT_EQ(row->author_details.size(), 1U);
  EXPECT_EQ(row->author_details[0].email, "ann@example.com");
  person->set_uri(std::string("a\0b", 3));
  EXPECT_FALSE(ToItemRow(item)) << "a NUL in an author is invalid";

  auto event = testing::MakeParseEvent(5, "r", 100, 1);
  event.mutable_parse()->mutable_feed()->set_title("Feed");
  event.mutable_parse()->mutable_feed()->add_authors()->set_uri("https://example.com/ed");
  const auto own = ToSourceEventRow(event);
  ASSERT_TRUE(own) << own.error().message;
  ASSERT_TRUE(own->feed.has_value());
  EXPECT_EQ(own->feed->title, "Feed");
  EXPECT_EQ(own->feed->format, "rss2");
  EXPECT_EQ(own->feed->observed_at_us, 100'000'000);
  EXPECT_EQ(own->feed->authors.at(0).uri, "https://example.com/ed");
  event.set_depth(1);  // a sitemap's page describes itself, not the source
  const auto child = ToSourceEventRow(event);
  ASSERT_TRUE(child) << child.error().message;
  EXPECT_FALSE(child->feed.has_value());
}

TEST(Decode, FetchOutcomeIsALowerCaseWord) {
  const auto row = ToSourceEventRow(
      testing::MakeFetchEvent(1, "r", v1::FETCH_OUTCOME_NOT_MODIFIED, 304, 100));
  ASSERT_TRUE(row);
  EXPECT_EQ(row->outcome, "not_modified");
  EXPECT_EQ(row->status, 304);
  EXPECT_EQ(row->latency_ms, 25);
  EXPECT_EQ(row->etag, std::nullopt);
}

}  // namespace
}  // namespace tributary::loader
