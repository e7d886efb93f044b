#include "services/embedder/hash_backend.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

namespace tributary::embedder {
namespace {

double Norm(const Vector& v) {
  return std::sqrt(std::inner_product(v.begin(), v.end(), v.begin(), 0.0));
}

double Cosine(const Vector& a, const Vector& b) {
  return std::inner_product(a.begin(), a.end(), b.begin(), 0.0) / (Norm(a) * Norm(b));
}

TEST(HashEmbed, IsDeterministicAndHasTheConfiguredSize) {
  const auto a = HashEmbed("Kafka consumers store offsets", 256);
  const auto b = HashEmbed("Kafka consumers store offsets", 256);
  ASSERT_EQ(a.size(), 256U);
  EXPECT_EQ(a, b);
  EXPECT_EQ(HashEmbed("x", 1024).size(), 1024U);
}

TEST(HashEmbed, PinsItsOutputSoStoredVectorsStayComparable) {
  // Vectors in item_embeddings were made by this function: changing the hashing silently makes
  // old and new vectors incomparable, so it needs a new --model-version, and this test says so.
  const std::vector<float> expected{0.0F, -0.2169F, 0.3796F, 0.1898F,
                                    0.5694F, 0.3525F, 0.5694F, 0.0F};
  const auto v = HashEmbed("hello world", 8);
  ASSERT_EQ(v.size(), expected.size());
  for (std::size_t i = 0; i < v.size(); ++i) EXPECT_NEAR(v[i], expected[i], 1e-4) << i;
}

TEST(HashEmbed, IsUnitLengthForAnyText) {
  for (const std::string& text : std::vector<std::string>{"", "!!!", "a", "The quick brown fox", "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E",
                                 std::string(100000, 'z')}) {
    EXPECT_NEAR(Norm(HashEmbed(text, 384)), 1.0, 1e-5) << text.substr(0, 20);
  }
}

TEST(HashEmbed, IgnoresCaseAndPunctuationButNotWords) {
  EXPECT_EQ(HashEmbed("Hello, World!", 256), HashEmbed("hello world", 256));
  EXPECT_NE(HashEmbed("hello world", 256), HashEmbed("world hello", 256));  // bigrams differ
}

TEST(HashEmbed, SharedWordsAreCloserThanUnrelatedText) {
  const auto base = HashEmbed("PostgreSQL vector search with pgvector indexes", 512);
  const auto near = HashEmbed("vector search in PostgreSQL using pgvector", 512);
  const auto far = HashEmbed("the orchestra played a symphony by Brahms", 512);
  EXPECT_GT(Cosine(base, near), Cosine(base, far) + 0.3);
}

TEST(HashBackend, AnswersOneVectorPerTextInOrder) {
  HashBackend backend(64);
  const auto result = backend.Embed({"one", "two", "one"});
  ASSERT_TRUE(result);
  ASSERT_EQ(result->vectors.size(), 3U);
  EXPECT_EQ(result->vectors[0], HashEmbed("one", 64));
  EXPECT_EQ(result->vectors[1], HashEmbed("two", 64));
  EXPECT_EQ(result->vectors[0], result->vectors[2]);
}

}  // namespace
}  // namespace tributary::embedder
