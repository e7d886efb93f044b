#include "services/embedder/local/bert_tokenizer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "services/embedder/local/tests/model_location.hpp"

namespace tributary::embedder::local {
namespace {

using testing::ModelDir;

// A tokenizer.json of a few pieces, BERT's normalizer and pre-tokenizer.
std::string SmallTokenizer(const std::string& model_type = "WordPiece") {
  return R"({"added_tokens":[{"id":0,"content":"[PAD]","special":true},
    {"id":1,"content":"[UNK]","special":true},{"id":2,"content":"[CLS]","special":true},
    {"id":3,"content":"[SEP]","special":true},{"id":4,"content":"[MASK]","special":true}],
    "normalizer":{"type":"BertNormalizer","clean_text":true,"handle_chinese_chars":true,
      "strip_accents":null,"lowercase":true},
    "pre_tokenizer":{"type":"BertPreTokenizer"},
    "model":{"type":")" + model_type + R"(","unk_token":"[UNK]","continuing_subword_prefix":"##",
      "max_input_chars_per_word":12,
      "vocab":{"[PAD]":0,"[UNK]":1,"[CLS]":2,"[SEP]":3,"[MASK]":4,"un":5,"##believ":6,
        "##able":7,"cafe":8,"!":9,"北":10,"京":11,"a":12,"##a":13,"$":14,"σ":15,"σσ":16}}})";
}

BertTokenizer Small() {
  auto tokenizer = BertTokenizer::FromJson(SmallTokenizer());
  EXPECT_TRUE(tokenizer) << tokenizer.error().message;
  return std::move(*tokenizer);
}

TEST(BertTokenizer, NormalizesSplitsAndSpellsWordPieces) {
  const auto tokenizer = Small();
  using Pieces = std::vector<std::string>;
  EXPECT_EQ(tokenizer.Pieces("Unbelievable!"), (Pieces{"un", "##believ", "##able", "!"}));
  EXPECT_EQ(tokenizer.Pieces("  CAFÉ\t\u00a0café "), (Pieces{"cafe", "cafe"}));  // accents go
  EXPECT_EQ(tokenizer.Pieces("北京"), (Pieces{"北", "京"}));  // ideographs stand alone
  EXPECT_EQ(tokenizer.Pieces("unknown"), (Pieces{"[UNK]"}));  // "un" + no "##known": whole word
  Pieces twelve{"a"};  // 12 characters: spelled "a" then "##a" each
  twelve.insert(twelve.end(), 11, "##a");
  EXPECT_EQ(tokenizer.Pieces("aaaaaaaaaaaa"), twelve);
  EXPECT_EQ(tokenizer.Pieces("aaaaaaaaaaaaa"), (Pieces{"[UNK]"}));  // 13 > 12 characters
  EXPECT_EQ(tokenizer.Pieces("$a"), (Pieces{"$", "a"}));  // ASCII symbols are punctuation
  EXPECT_EQ(tokenizer.Pieces("ΣΣ"), (Pieces{"σσ"}));  // each letter lower-cased alone
  EXPECT_EQ(tokenizer.Pieces("a\x01\u200b" "a"), (Pieces{"a", "##a"}));  // controls dropped
  EXPECT_EQ(tokenizer.Pieces("x[MASK]a"), (Pieces{"[UNK]", "[MASK]", "a"}));
  // Special tokens match only as written: "[mask]" is "[", "mask", "]", none in this vocab.
  EXPECT_EQ(tokenizer.Pieces("[mask]"), (Pieces{"[UNK]", "[UNK]", "[UNK]"}));
}

TEST(BertTokenizer, WrapsInClsSepAndCutsToTheMaximumLength) {
  const auto tokenizer = Small();
  auto encoding = tokenizer.Encode("unbelievable a", 16);
  EXPECT_EQ(encoding.ids, (std::vector<std::int32_t>{2, 5, 6, 7, 12, 3}));
  EXPECT_FALSE(encoding.truncated);
  encoding = tokenizer.Encode("unbelievable a", 4);
  EXPECT_EQ(encoding.ids, (std::vector<std::int32_t>{2, 5, 6, 3}));
  EXPECT_TRUE(encoding.truncated);
  EXPECT_EQ(tokenizer.Encode("", 8).ids, (std::vector<std::int32_t>{2, 3}));
}

TEST(BertTokenizer, RefusesWhatItDoesNotImplementByName) {
  EXPECT_EQ(BertTokenizer::FromJson(SmallTokenizer("BPE")).error().message,
            "tokenizer.json: model type 'BPE'; only WordPiece is");
  EXPECT_EQ(BertTokenizer::FromJson("[]").error().message, "tokenizer.json: not a JSON object");
  const auto missing = BertTokenizer::FromFile("/nonexistent/tokenizer.json");
  EXPECT_EQ(missing.error().message, "/nonexistent/tokenizer.json: cannot be read");
}

// The model's own tokenizer against Hugging Face `tokenizers` on 1,200 varied texts.
TEST(BertTokenizer, SameIdsAsHuggingFaceTokenizers) {
  TRIBUTARY_REQUIRE_MODEL();
  auto tokenizer = BertTokenizer::FromFile(ModelDir() + "/tokenizer.json");
  ASSERT_TRUE(tokenizer) << tokenizer.error().message;
  EXPECT_EQ(tokenizer->VocabularySize(), 30522U);
  const auto fixture = testing::ReadFixture("tokenizer_ids.jsonl");
  ASSERT_GE(fixture.size(), 1000U);
  std::size_t differing = 0;
  for (const auto& line : fixture) {
    const auto text = line["text"].get<std::string>();
    const auto expected = line["ids"].get<std::vector<std::int32_t>>();
    const auto ids = tokenizer->Encode(text, 256).ids;
    if (ids == expected) continue;
    if (++differing <= 10) {
      ADD_FAILURE() << ::testing::PrintToString(text) << "\n  ours:   "
                    << ::testing::PrintToString(ids)
                    << "\n  theirs: " << ::testing::PrintToString(expected);
    }
  }
  EXPECT_EQ(differing, 0U) << "of " << fixture.size() << " texts";
}

}  // namespace
}  // namespace tributary::embedder::local
