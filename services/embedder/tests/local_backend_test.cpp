// The local backend against sentence-transformers' own vectors for the same model and texts
// (bench/embedder/reference/make_fixtures.py), from a few words to well past the 256-token cut,
// in each precision (bf16 only on a CPU with AMX).
#include "services/embedder/local_backend.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "services/embedder/local/amx_bf16.hpp"
#include "services/embedder/local/tests/model_location.hpp"
#include "services/embedder/passages.hpp"
#include "tributary/v1/item.pb.h"

namespace tributary::embedder {
namespace {

using local::testing::ModelDir;

double Cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double dot = 0;
  double aa = 0;
  double bb = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    dot += double(a[i]) * b[i];
    aa += double(a[i]) * a[i];
    bb += double(b[i]) * b[i];
  }
  return dot / std::sqrt(aa * bb);
}

class LocalBackendIn : public ::testing::TestWithParam<local::Precision> {
 protected:
  void SetUp() override {
    if (GetParam() == local::Precision::kBf16 && !local::amx::Available()) {
      GTEST_SKIP() << "this CPU (or kernel) offers no AMX-BF16: bf16 NOT checked";
    }
  }
};

TEST_P(LocalBackendIn, SameVectorsAsSentenceTransformers) {
  TRIBUTARY_REQUIRE_MODEL();
  auto backend = LocalBackend::Load(ModelDir(), 2, GetParam());
  ASSERT_TRUE(backend) << backend.error().message;
  ASSERT_EQ((*backend)->precision(), GetParam());
  const auto& model = (*backend)->Model();
  EXPECT_EQ(model.name, "all-MiniLM-L6-v2");
  EXPECT_EQ(model.version, "53aa51172d142c89");  // the weights' SHA-256, install.sh's pin
  EXPECT_EQ(model.dims, 384U);
  EXPECT_EQ((*backend)->MaxTokens(), 256U);

  const auto fixture = local::testing::ReadFixture("vectors.jsonl");
  ASSERT_GE(fixture.size(), 200U);
  std::vector<std::string> texts;
  std::size_t longer_than_the_cut = 0;
  for (const auto& line : fixture) {
    texts.push_back(line["text"].get<std::string>());
    longer_than_the_cut += line["tokens"].get<std::size_t>() > 256 ? 1 : 0;
  }
  ASSERT_GE(longer_than_the_cut, 20U) << "the fixture must reach past the cut";
  const auto embedded = (*backend)->Embed(texts);
  ASSERT_TRUE(embedded);
  ASSERT_EQ(embedded->vectors.size(), texts.size());
  double worst = 1;
  std::string worst_text;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const auto expected = fixture[i]["vector"].get<std::vector<float>>();
    ASSERT_EQ(embedded->vectors[i].size(), expected.size());
    const double cosine = Cosine(embedded->vectors[i], expected);
    if (cosine < worst) {
      worst = cosine;
      worst_text = texts[i];
    }
  }
  EXPECT_GE(worst, 0.999) << "worst text: " << worst_text.substr(0, 200);
  EXPECT_EQ(embedded->truncated, longer_than_the_cut);
}

TEST_P(LocalBackendIn, VectorsDoNotDependOnTheBatch) {
  TRIBUTARY_REQUIRE_MODEL();
  auto backend = LocalBackend::Load(ModelDir(), 1, GetParam());
  ASSERT_TRUE(backend) << backend.error().message;
  const std::vector<std::string> texts = {
      "A storm closed the harbor.", "Lighthouse keepers watched the river mouth all night.",
      "x", "", "Markets rallied after the central bank held rates steady for a quarter."};
  const auto together = (*backend)->Embed(texts);
  ASSERT_TRUE(together);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const auto alone = (*backend)->Embed({texts[i]});
    ASSERT_TRUE(alone);
    EXPECT_GT(Cosine(alone->vectors[0], together->vectors[i]), 0.99999) << texts[i];
    double norm = 0;
    for (const float v : alone->vectors[0]) norm += double(v) * v;
    EXPECT_NEAR(norm, 1.0, 1e-5);  // the model's Normalize module
  }
}

// The stage embeds several batches at once: every caller's batches share the backend's
// workers, and each caller gets exactly its own vectors back.
TEST_P(LocalBackendIn, CallersAtOnceEachGetTheirOwnVectors) {
  TRIBUTARY_REQUIRE_MODEL();
  auto backend = LocalBackend::Load(ModelDir(), 2, GetParam());
  ASSERT_TRUE(backend) << backend.error().message;
  std::vector<std::vector<std::string>> calls(4);
  for (int c = 0; c < 4; ++c) {
    for (int i = 0; i < 12; ++i) {
      calls[c].push_back("call " + std::to_string(c) + " text " + std::to_string(i) + " " +
                         std::string(static_cast<std::size_t>(i * 7 % 40), 'x'));
    }
  }
  std::vector<std::vector<Vector>> alone;
  for (const auto& texts : calls) alone.push_back((*backend)->Embed(texts)->vectors);
  std::vector<std::vector<Vector>> together(calls.size());
  std::vector<std::thread> threads;
  for (std::size_t c = 0; c < calls.size(); ++c) {
    threads.emplace_back([&, c] { together[c] = (*backend)->Embed(calls[c])->vectors; });
  }
  for (auto& thread : threads) thread.join();
  for (std::size_t c = 0; c < calls.size(); ++c) {
    ASSERT_EQ(together[c].size(), alone[c].size());
    for (std::size_t i = 0; i < alone[c].size(); ++i) {
      EXPECT_GT(Cosine(together[c][i], alone[c][i]), 0.99999) << calls[c][i];
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Precisions, LocalBackendIn,
                         ::testing::Values(local::Precision::kFp32, local::Precision::kBf16),
                         [](const ::testing::TestParamInfo<local::Precision>& param) {
                           return param.param == local::Precision::kFp32 ? "fp32" : "bf16";
                         });

// Auto takes bf16 exactly where the CPU has AMX.
TEST(LocalBackend, AutoPrecisionIsBf16WhereTheCpuHasAmx) {
  TRIBUTARY_REQUIRE_MODEL();
  auto backend = LocalBackend::Load(ModelDir(), 1, local::Precision::kAuto);
  ASSERT_TRUE(backend) << backend.error().message;
  EXPECT_EQ((*backend)->precision(), local::amx::Available() ? local::Precision::kBf16
                                                              : local::Precision::kFp32);
}

// Passages are measured in the model's own word pieces, so the default window (256 with the
// title and [CLS]/[SEP]) is exactly what the model takes: no passage of a long text is cut.
TEST(LocalBackend, PassagesFitTheModelWhenCountedWithItsTokenizer) {
  TRIBUTARY_REQUIRE_MODEL();
  auto backend = LocalBackend::Load(ModelDir(), 1, local::Precision::kFp32);
  ASSERT_TRUE(backend) << backend.error().message;
  EXPECT_EQ((*backend)->CountTokens("Hello, world!"), 4U);  // hello , world !
  std::string body;
  for (const auto& line : local::testing::ReadFixture("vectors.jsonl")) {
    body += line["text"].get<std::string>() + (body.size() % 3 == 0 ? "\n\n" : " ");
  }
  v1::Item item;
  item.set_title("Tokenizer-measured passages, with a longish title of its own");
  item.set_content_text(body);
  const auto passages =
      PassagesOf(item, ChunkSettings{}, TextLimits{.max_tokens = 100'000, .max_bytes = 1 << 20},
                 [&](std::string_view text) { return (*backend)->CountTokens(text); });
  ASSERT_GE(passages.passages.size(), 20U);
  for (const auto& passage : passages.passages) {
    const auto encoded = (*backend)->tokenizer().Encode(passage.text, 100'000);
    EXPECT_LE(encoded.ids.size(), 256U) << passage.text.substr(0, 120);
    EXPECT_EQ(encoded.ids.size(), passage.tokens + 2) << passage.text.substr(0, 120);
  }
}

TEST(LocalBackend, ABadFolderIsAnErrorNamingTheFile) {
  const auto missing = LocalBackend::Load("/nonexistent/model", 1, local::Precision::kAuto);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "/nonexistent/model/config.json: cannot be read");
}

}  // namespace
}  // namespace tributary::embedder
