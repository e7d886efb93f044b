#pragma once
// What the embedder sends for one item: title + summary/content, whitespace-normalized and
// truncated to the model's input limit. The limit is counted twice: approximately in tokens
// (what the model enforces, unknown without its tokenizer) and exactly in bytes (what a
// request may carry). Truncation never splits a UTF-8 sequence.
#include <cstddef>
#include <string>
#include <string_view>

namespace tributary::v1 {
class Item;
}

namespace tributary::embedder {

struct TextLimits {
  std::size_t max_tokens = 8191;  // OpenAI's text-embedding-3 input limit
  std::size_t max_bytes = 32 * 1024;
};

struct PreparedText {
  std::string text;
  std::size_t tokens = 0;  // approximate, see EstimateTokens
  bool truncated = false;
};

// Length of the whitespace character at byte `i` (< s.size()), or 0. Besides ASCII whitespace:
// NBSP (C2 A0), the U+2000..U+200A spaces, LS/PS (E2 80 A8/A9), NNBSP (E2 80 AF),
// MMSP (E2 81 9F) and the ideographic space (E3 80 80): what feeds put between words.
std::size_t WhitespaceLength(std::string_view s, std::size_t i);

// Collapses every run of whitespace (ASCII and the common Unicode spaces) into one space and
// trims both ends. Invalid UTF-8 bytes are kept as they are (the parser already emits UTF-8).
std::string NormalizeWhitespace(std::string_view text);

// A deliberately pessimistic token estimate without a tokenizer: BPE vocabularies average about
// four bytes of English per token, and a non-ASCII code point is rarely merged with others, so
// it counts as one token on its own.
std::size_t EstimateTokens(std::string_view text);

// The longest prefix of `text` within both limits that ends on a UTF-8 sequence boundary.
std::string_view TruncateUtf8(std::string_view text, const TextLimits& limits);

// Title, then summary, then content text (the summary is left out when the content already
// starts with it, as many feeds repeat it), separated by blank lines. An item with no text at
// all falls back to its URL, then its external id, so every item still gets a vector.
PreparedText PrepareText(const v1::Item& item, const TextLimits& limits);

}  // namespace tributary::embedder
