// The openai backend over real HTTP against tests/support/openai_stub_server.py: vectors in
// input order over one kept-alive connection, and every failure the stub can produce mapped
// to the kind the core acts on.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <thread>

#include "services/embedder/openai_backend.hpp"
#include "services/embedder/tests/stub_server.hpp"

namespace tributary::embedder {
namespace {

using namespace std::chrono_literals;

OpenAiSettings Settings(const testing::StubServer& stub, std::chrono::milliseconds timeout = 10s) {
  return {.url = stub.Url(), .model = "stub-model", .dims = 8, .api_key = "sk-test",
          .headers = {{"x-title", "tributary-tests"}}, .timeout = timeout};
}

TEST(OpenAiBackendOverHttp, EmbedsInInputOrderOverOneKeptAliveConnection) {
  testing::StubServer stub({"--dims", "8"});
  OpenAiBackend backend(Settings(stub));
  const auto first = backend.Embed({"alpha", "beta", "alpha"});
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_EQ(first->vectors.size(), 3U);
  EXPECT_EQ(first->vectors[0], first->vectors[2]);
  EXPECT_NE(first->vectors[0], first->vectors[1]);
  for (const auto& v : first->vectors) {
    ASSERT_EQ(v.size(), 8U);
    EXPECT_NEAR(std::sqrt(std::inner_product(v.begin(), v.end(), v.begin(), 0.0)), 1.0, 1e-4);
  }
  EXPECT_GT(first->tokens, 0U);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(backend.Embed({"gamma"}));
  const auto again = backend.Embed({"beta"});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->vectors[0], first->vectors[1]) << "deterministic per text";
  EXPECT_EQ(stub.Stats()["requests"], 7);
}

TEST(OpenAiBackendOverHttp, ClassifiesEveryFailureTheStubCanProduce) {
  testing::StubServer stub({"--dims", "8", "--reject", "POISON"});
  OpenAiBackend backend(Settings(stub, 1500ms));

  stub.SetMode({{"mode", "429"}, {"retry_after", 3}});
  auto result = backend.Embed({"a"});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, BackendFailure::kTransient);
  EXPECT_EQ(result.error().status, 429);
  EXPECT_EQ(result.error().retry_after, 3s);

  stub.SetMode({{"mode", "quota"}});
  result = backend.Embed({"a"});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, BackendFailure::kQuota);

  stub.SetMode({{"mode", "500"}});
  result = backend.Embed({"a"});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, BackendFailure::kTransient);
  EXPECT_EQ(result.error().status, 500);

  stub.SetMode({{"mode", "hang"}});
  result = backend.Embed({"a"});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, BackendFailure::kTransient);
  EXPECT_EQ(result.error().error_class, "backend.timeout");

  stub.SetMode({{"mode", "ok"}});
  result = backend.Embed({"fine", "a POISON input"});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, BackendFailure::kRejected);
  EXPECT_NE(result.error().message.find("index 1"), std::string::npos) << result.error().message;
  EXPECT_EQ(result.error().message.find("sk-test"), std::string::npos);

  stub.SetMode({{"mode", "wrong_dims"}});
  result = backend.Embed({"a"});
  ASSERT_TRUE(result) << "the answer is well-formed; the core checks the size";
  EXPECT_EQ(result->vectors[0].size(), 9U);

  stub.SetMode({{"mode", "ok"}});
  EXPECT_TRUE(backend.Embed({"back to normal"}));
}

TEST(OpenAiBackendOverHttp, AServerThatIsNotThereIsAConnectionError) {
  int port = 0;
  {
    testing::StubServer stub({});
    port = std::stoi(stub.Url().substr(std::string("http://127.0.0.1:").size()));
  }  // stopped: nothing listens there now
  OpenAiBackend backend({.url = "http://127.0.0.1:" + std::to_string(port) + "/v1/embeddings",
                         .model = "m", .dims = 8, .timeout = 2s});
  const auto result = backend.Embed({"a"});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, BackendFailure::kTransient);
  EXPECT_EQ(result.error().error_class, "backend.connection");
}

}  // namespace
}  // namespace tributary::embedder
