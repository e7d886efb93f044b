#include "services/embedder/openai_backend.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "services/embedder/pg_vector_store.hpp"

namespace tributary::embedder {
namespace {

using namespace std::chrono_literals;

HttpResponse Answer(int status, std::string body, std::string retry_after = {}) {
  return {.status = status, .body = std::move(body), .retry_after = std::move(retry_after)};
}

TEST(OpenAiRequest, CarriesModelInputsAndOptionalDimensions) {
  const auto body = nlohmann::json::parse(BuildRequestBody("m", {"a", "b\"c"}, 256));
  EXPECT_EQ(body["model"], "m");
  EXPECT_EQ(body["input"], nlohmann::json::array({"a", "b\"c"}));
  EXPECT_EQ(body["encoding_format"], "float");
  EXPECT_EQ(body["dimensions"], 256);
  EXPECT_FALSE(nlohmann::json::parse(BuildRequestBody("m", {"a"}, std::nullopt)).contains("dimensions"));
}

TEST(OpenAiResponse, MatchesVectorsToInputsByIndex) {
  const auto result = ParseResponse(
      Answer(200, R"({"object":"list","data":[
        {"object":"embedding","index":1,"embedding":[0.5,0.25]},
        {"object":"embedding","index":0,"embedding":[1,-2e-3]}],
        "model":"m","usage":{"prompt_tokens":7,"total_tokens":7}})"),
      2);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->vectors[0], (Vector{1.0F, -0.002F}));
  EXPECT_EQ(result->vectors[1], (Vector{0.5F, 0.25F}));
  EXPECT_EQ(result->tokens, 7U);
}

TEST(OpenAiResponse, AMalformedAnswerIsFatal) {
  for (const std::string body : {"not json", R"({"data":[]})", R"({"data":[{"index":0}]})",
                                 R"({"data":[{"index":0,"embedding":[1]},{"index":0,"embedding":[1]}]})",
                                 R"({"data":[{"index":5,"embedding":[1]},{"index":0,"embedding":[1]}]})"}) {
    const auto result = ParseResponse(Answer(200, body), 2);
    ASSERT_FALSE(result) << body;
    EXPECT_EQ(result.error().kind, BackendFailure::kFatal) << body;
  }
}

TEST(OpenAiResponse, RateLimitIsTransientWithRetryAfter) {
  const auto result = ParseResponse(
      Answer(429, R"({"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}})",
             "7"),
      1);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, BackendFailure::kTransient);
  EXPECT_EQ(result.error().status, 429);
  EXPECT_EQ(result.error().retry_after, 7s);
  EXPECT_NE(result.error().message.find("Rate limit reached"), std::string::npos);
}

TEST(OpenAiResponse, InsufficientQuotaIsItsOwnKind) {
  const auto result = ParseResponse(
      Answer(429, R"({"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","code":"insufficient_quota"}})"),
      1);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, BackendFailure::kQuota);
  EXPECT_EQ(result.error().error_class, "backend.quota");
}

TEST(OpenAiResponse, ClassifiesStatuses) {
  auto kind = [](int status) {
    return ParseResponse(Answer(status, R"({"error":"nope"})"), 1).error().kind;
  };
  EXPECT_EQ(kind(500), BackendFailure::kTransient);
  EXPECT_EQ(kind(502), BackendFailure::kTransient);
  EXPECT_EQ(kind(503), BackendFailure::kTransient);
  EXPECT_EQ(kind(408), BackendFailure::kTransient);
  EXPECT_EQ(kind(401), BackendFailure::kTransient);
  EXPECT_EQ(kind(400), BackendFailure::kRejected);
  EXPECT_EQ(kind(413), BackendFailure::kRejected);
  EXPECT_EQ(kind(422), BackendFailure::kRejected);
  EXPECT_EQ(kind(404), BackendFailure::kFatal);
}

TEST(OpenAiResponse, RetryAfterForms) {
  EXPECT_EQ(ParseRetryAfter({.retry_after = "2"}), 2s);
  EXPECT_EQ(ParseRetryAfter({.retry_after = "1.5"}), 1500ms);
  const auto now = std::chrono::system_clock::from_time_t(1445412480);  // 2015-10-21 07:28:00
  EXPECT_EQ(ParseRetryAfter({.retry_after = "Wed, 21 Oct 2015 07:29:30 GMT"}, now), 90s);
  EXPECT_EQ(ParseRetryAfter({.retry_after = "Wed, 21 Oct 2015 07:28:00 GMT"}, now), 0ms);
  EXPECT_EQ(ParseRetryAfter({.retry_after = "Tue, 20 Oct 2015 07:28:00 GMT"}, now), 0ms);  // past
  EXPECT_EQ(ParseRetryAfter({.retry_after = "soon"}, now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter({.retry_after = "3", .retry_after_ms = "250"}), 250ms);
  EXPECT_EQ(ParseRetryAfter({}), std::nullopt);
}

TEST(Endpoint, ParsesUrls) {
  auto e = ParseEndpoint("https://api.openai.com/v1/embeddings");
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->tls);
  EXPECT_EQ(e->host, "api.openai.com");
  EXPECT_EQ(e->port, "443");
  EXPECT_EQ(e->target, "/v1/embeddings");
  e = ParseEndpoint("http://127.0.0.1:8080/v1/embeddings?x=1");
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->tls);
  EXPECT_EQ(e->port, "8080");
  EXPECT_EQ(e->target, "/v1/embeddings?x=1");
  EXPECT_FALSE(ParseEndpoint("ftp://x/y"));
  EXPECT_FALSE(ParseEndpoint("not a url"));
}

TEST(PgVectorText, ParsesPgvectorsTextForm) {
  EXPECT_EQ(ParseVectorText("[1,2.5,-3e-05]"), (Vector{1.0F, 2.5F, -3e-05F}));
  EXPECT_EQ(ParseVectorText("[]"), Vector{});
  EXPECT_EQ(ParseVectorText("[1,,2]"), std::nullopt);
  EXPECT_EQ(ParseVectorText("1,2"), std::nullopt);
}

}  // namespace
}  // namespace tributary::embedder
