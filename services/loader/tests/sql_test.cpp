#include "services/loader/sql.hpp"

#include <gtest/gtest.h>

#include "services/loader/decode.hpp"
#include "services/loader/pg_text.hpp"
#include "services/loader/tests/fixtures.hpp"

namespace tributary::loader {
namespace {

TEST(PgText, ArrayLiteralQuotesEveryElementAndWritesNull) {
  std::vector<OptText> values = {std::string("a,b"), std::nullopt, std::string(R"(q"\)"),
                                 std::string("NULL"), std::string("")};
  EXPECT_EQ(ArrayLiteral(std::span<const OptText>(values)), R"({"a,b",NULL,"q\"\\","NULL",""})");
  EXPECT_EQ(ArrayLiteral(std::span<const OptText>()), "{}");
}

TEST(PgText, TimestampsAndEnclosures) {
  EXPECT_EQ(TimestampText(0, 123'456'789), "1970-01-01 00:00:00.123456+00");
  EXPECT_EQ(TimestampText(1'700'000'000'123'456), "2023-11-14 22:13:20.123456+00");
  EXPECT_EQ(TimestampText(-1), "1969-12-31 23:59:59.999999+00") << "floor, not truncation";
  EXPECT_EQ(TimestampText(std::optional<std::int64_t>{}), std::nullopt);
  EXPECT_EQ(EnclosuresJson({{.url = "https://e.example/\"a\".mp3", .type = "audio/mpeg",
                             .length = 123}}),
            R"([{"url":"https://e.example/\"a\".mp3","type":"audio/mpeg","length":123}])");
  EXPECT_EQ(EnclosuresJson({}), "[]");
  EXPECT_EQ(PeopleJson({{.name = "Ann \"A\"", .email = "ann@example.com", .uri = ""}}),
            R"([{"name":"Ann \"A\"","email":"ann@example.com","uri":""}])");
}

TEST(Sql, ItemParamsAreOneArrayPerColumnInPlaceholderOrder) {
  auto wanting = testing::MakeItem(2, "b", 2, 200);
  wanting.set_article_wanted(true);
  const std::vector<ItemRow> rows = {*ToItemRow(testing::MakeItem(1, "a", 1, 100)),
                                     *ToItemRow(wanting)};
  const auto params = sql::ItemParams(rows);
  ASSERT_EQ(params.size(), 19U);
  EXPECT_EQ(params[0], R"({"1","2"})");
  EXPECT_EQ(params[1], R"({"a","b"})");
  EXPECT_EQ(params[7], R"({"{\"Ann \\\"the\\\" Author\"}","{\"Ann \\\"the\\\" Author\"}"})");
  EXPECT_EQ(params[12], "{NULL,NULL}") << "updated_at unset";
  EXPECT_EQ(params[13],
            R"({"1970-01-01 00:01:40.000000+00","1970-01-01 00:03:20.000000+00"})");
  EXPECT_EQ(params[16], R"({"[]","[]"})") << "author_details";
  EXPECT_EQ(params[17], "{NULL,NULL}") << "content_html unset";
  EXPECT_EQ(params[18], R"({"f","t"})") << "article_wanted";
}

TEST(Sql, EmbeddingParamsCarryTheRegisteredModelId) {
  const std::vector<ItemRow> rows = {
      *ToItemRow(testing::MakeEmbedded(testing::MakeItem(1, "a", 1), 2, 0)),
      *ToItemRow(testing::MakeItem(1, "b", 1))};  // no vector: not in the embedding params
  const std::map<ModelKey, int> ids = {{ModelKey{"hash", "1", 2}, 42}};
  const auto params = sql::EmbeddingParams(rows, ids);
  ASSERT_EQ(params.size(), 7U);
  EXPECT_EQ(params[1], R"({"a"})");
  EXPECT_EQ(params[2], R"({"42"})");
  EXPECT_EQ(params[4], R"({"[1,0.01]"})");
  EXPECT_EQ(params[6], R"({"req-1700000000"})") << "the fetch the vector came from";
}

TEST(Sql, StatementsCarryTheMonotonicGuards) {
  const std::string items = sql::kUpsertItems;
  EXPECT_NE(items.find("ON CONFLICT (source_id, external_id) DO UPDATE"), std::string::npos);
  EXPECT_NE(items.find("WHERE i.observed_at <= excluded.observed_at"), std::string::npos);
  EXPECT_NE(items.find("i.content_hash IS DISTINCT FROM excluded.content_hash"),
            std::string::npos);
  EXPECT_EQ(items.find("first_seen_at"), std::string::npos) << "set once, on insert";
  const std::string embeddings = sql::kUpsertEmbeddings;
  EXPECT_NE(embeddings.find("WHERE e.observed_at <= excluded.observed_at"), std::string::npos);
  const std::string fetch_log = sql::kUpsertFetchLog;
  EXPECT_NE(fetch_log.find("coalesce(f.status,      excluded.status)"), std::string::npos);
}

}  // namespace
}  // namespace tributary::loader
