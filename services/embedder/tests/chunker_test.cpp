// Chunk boundaries: paragraph and sentence ends preferred, overlap, long sentences and giant
// words, UTF-8, and that no text is ever lost.
#include "services/embedder/chunker.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "services/embedder/text.hpp"

namespace tributary::embedder {
namespace {

// One token per whitespace-separated word: easy to reason about in expectations.
std::size_t Words(std::string_view text) {
  std::size_t words = 0;
  bool in_word = false;
  for (const char c : text) {
    const bool space = c == ' ' || c == '\n' || c == '\t';
    words += !space && !in_word ? 1 : 0;
    in_word = !space;
  }
  return words;
}

// EstimateTokens word by word: like a WordPiece count, the tokens of a text are the sum of
// its words', so a chunk's count is the sum of what the chunker counted.
std::size_t WordEstimates(std::string_view text) {
  std::size_t tokens = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    if (const auto space = WhitespaceLength(text, i); space > 0) {
      i += space;
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && WhitespaceLength(text, end) == 0) ++end;
    tokens += EstimateTokens(text.substr(i, end - i));
    i = end;
  }
  return tokens;
}

std::vector<std::string> Texts(std::string_view text, const std::vector<ChunkSpan>& chunks) {
  std::vector<std::string> out;
  for (const auto& chunk : chunks) out.emplace_back(text.substr(chunk.begin, chunk.end - chunk.begin));
  return out;
}

// "s<N>w1 s<N>w2 ... s<N>w<words>." : one sentence, recognisable by its number.
std::string Sentence(int number, int words) {
  std::string out;
  for (int w = 1; w <= words; ++w) {
    if (w > 1) out += ' ';
    out += "s" + std::to_string(number) + "w" + std::to_string(w);
  }
  return out + ".";
}

std::string Paragraph(int first_sentence, int sentences, int words) {
  std::string out;
  for (int s = 0; s < sentences; ++s) {
    if (s > 0) out += ' ';
    out += Sentence(first_sentence + s, words);
  }
  return out;
}

// Whatever the text: every non-whitespace byte lies in a chunk, chunks move forward, each is
// within the budget, and consecutive ones share at most `overlap` tokens.
void ExpectSoundChunks(std::string_view text, const std::vector<ChunkSpan>& chunks,
                       std::size_t budget, std::size_t overlap, const TokenCounter& count) {
  std::vector<bool> covered(text.size(), false);
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    const auto& chunk = chunks[i];
    ASSERT_LT(chunk.begin, chunk.end);
    ASSERT_LE(chunk.end, text.size());
    EXPECT_LE(count(text.substr(chunk.begin, chunk.end - chunk.begin)), budget) << i;
    // The sum over its parts: the whole once a split word is counted whole again, or more.
    EXPECT_GE(chunk.tokens, count(text.substr(chunk.begin, chunk.end - chunk.begin))) << i;
    EXPECT_LE(chunk.tokens, budget) << i;
    for (std::size_t b = chunk.begin; b < chunk.end; ++b) covered[b] = true;
    if (i > 0) {
      EXPECT_GT(chunk.begin, chunks[i - 1].begin) << i;
      EXPECT_GT(chunk.end, chunks[i - 1].end) << i;
      if (chunk.begin < chunks[i - 1].end) {
        EXPECT_LE(count(text.substr(chunk.begin, chunks[i - 1].end - chunk.begin)), overlap)
            << i;
      }
    }
  }
  for (std::size_t b = 0; b < text.size(); ++b) {
    if (!covered[b]) {
      ASSERT_GT(WhitespaceLength(text, b), 0U) << "byte " << b << " of no chunk";
    }
  }
}

TEST(Chunker, AShortTextIsOneChunkWithoutItsSurroundingWhitespace) {
  const std::string text = "  \n Hello world. How are you?\n\n ";
  EXPECT_EQ(SplitIntoChunks(text, 256, 32, Words), (std::vector<ChunkSpan>{{4, 29, 5}}));
  EXPECT_TRUE(SplitIntoChunks(" \n\n \t", 256, 32, Words).empty());
  EXPECT_TRUE(SplitIntoChunks("", 256, 32, Words).empty());
}

// Three paragraphs of 50 words; 120 would take two and a part of the third: the chunk ends at
// the second paragraph's end instead.
TEST(Chunker, EndsAtAParagraphEndWhenOneKeepsTheChunkHalfFull) {
  const std::string text =
      Paragraph(1, 10, 5) + "\n\n" + Paragraph(11, 10, 5) + "\n\n" + Paragraph(21, 10, 5);
  const auto chunks = SplitIntoChunks(text, 120, 0, Words);
  const auto texts = Texts(text, chunks);
  ASSERT_EQ(texts.size(), 2U);
  EXPECT_EQ(texts[0], Paragraph(1, 10, 5) + "\n\n" + Paragraph(11, 10, 5));
  EXPECT_EQ(texts[1], Paragraph(21, 10, 5));
  ExpectSoundChunks(text, chunks, 120, 0, Words);
}

// One paragraph longer than the budget: chunks end at sentence ends, and each next one starts
// with the last sentence of the one before (5 words, within the overlap of 6).
TEST(Chunker, EndsAtSentenceEndsAndOverlapsByWholeSentences) {
  const std::string text = Paragraph(1, 30, 5);
  const auto chunks = SplitIntoChunks(text, 32, 6, Words);
  const auto texts = Texts(text, chunks);
  ASSERT_GE(texts.size(), 5U);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    EXPECT_EQ(texts[i].back(), '.') << texts[i];
    EXPECT_LE(Words(texts[i]), 32U);
    if (i > 0) {
      const auto& before = texts[i - 1];
      const auto last_sentence = before.substr(before.rfind(". ") + 2);
      EXPECT_EQ(texts[i].rfind(last_sentence, 0), 0U) << texts[i - 1] << " | " << texts[i];
    }
  }
  EXPECT_EQ(texts.front().rfind("s1w1 ", 0), 0U);
  EXPECT_NE(texts.back().find("s30w5."), std::string::npos);
  ExpectSoundChunks(text, chunks, 32, 6, Words);
}

// A "sentence" of 1,000 words with no punctuation: split between words, overlapping by words.
TEST(Chunker, ASentenceLongerThanTheBudgetSplitsBetweenWords) {
  std::string text;
  for (int w = 0; w < 1000; ++w) text += "word" + std::to_string(w) + " ";
  const auto chunks = SplitIntoChunks(text, 100, 10, Words);
  ASSERT_GE(chunks.size(), 11U);
  const auto texts = Texts(text, chunks);
  EXPECT_EQ(Words(texts[0]), 100U);
  EXPECT_EQ(texts[1].rfind("word90 ", 0), 0U) << texts[1].substr(0, 40);  // 10 words shared
  ExpectSoundChunks(text, chunks, 100, 10, Words);
}

// 3,000 two-byte characters with no space (1 token each to EstimateTokens): pieces cut on
// code point boundaries, never inside one.
TEST(Chunker, AWordLongerThanTheBudgetSplitsOnUtf8Boundaries) {
  std::string text;
  for (int i = 0; i < 3000; ++i) text += "\u00E9";
  const TokenCounter count = [](std::string_view s) { return EstimateTokens(s); };
  const auto chunks = SplitIntoChunks(text, 256, 32, count);
  ASSERT_GE(chunks.size(), 12U);
  for (const auto& chunk : chunks) {
    EXPECT_EQ(chunk.begin % 2, 0U);
    EXPECT_EQ(chunk.end % 2, 0U);
  }
  EXPECT_EQ(chunks[0].end, 512U);  // exactly 256 characters fit
  ExpectSoundChunks(text, chunks, 256, 32, count);
}

TEST(Chunker, CjkSentencesEndAtTheirStopsWithoutSpaces) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += i % 2 == 0 ? "今天下雨了。" : "明天会晴吗？";
  const TokenCounter count = [](std::string_view s) { return EstimateTokens(s); };
  const auto chunks = SplitIntoChunks(text, 20, 0, count);
  const auto texts = Texts(text, chunks);
  ASSERT_GE(texts.size(), 12U);
  for (const auto& chunk : texts) {
    EXPECT_TRUE(chunk.ends_with("。") || chunk.ends_with("？")) << chunk;
  }
  ExpectSoundChunks(text, chunks, 20, 0, count);
}

// Random texts of paragraphs, sentences, long words and odd whitespace, at random budgets.
TEST(Chunker, NoTextIsLostWhateverTheShape) {
  std::mt19937 random(17);
  const char* const pieces[] = {"alpha",  "beta.",  "gamma!", "delta?\"", "\n",
                                "\n\n",   "  ",     "\u00E9t\u00E9", "\u2026", "x"};
  const TokenCounter count = WordEstimates;
  for (int round = 0; round < 300; ++round) {
    std::string text;
    const int parts = static_cast<int>(random() % 400);
    for (int p = 0; p < parts; ++p) {
      if (random() % 50 == 0) text += std::string(random() % 3000, 'z');
      text += pieces[random() % std::size(pieces)];
      text += random() % 3 == 0 ? "" : " ";
    }
    const std::size_t budget = 1 + random() % 300;
    const std::size_t overlap = random() % (budget / 2 + 1);
    const auto chunks = SplitIntoChunks(text, budget, overlap, count);
    ExpectSoundChunks(text, chunks, budget, overlap, count);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace tributary::embedder
