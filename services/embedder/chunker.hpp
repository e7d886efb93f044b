#pragma once
// A long text as overlapping windows of the embedding model's tokens, each cut where the text
// ends a paragraph or a sentence when it can: one vector per passage instead of one for the
// first few hundred tokens, and a search result can point at its passage by byte offsets into
// the item's text. Tokens are counted by the caller's counter (the model's own tokenizer, or
// the approximate EstimateTokens): it is called on sentences and words, never across a
// whitespace boundary, so a BERT WordPiece count adds up exactly.
#include <cstddef>
#include <functional>
#include <string_view>
#include <vector>

namespace tributary::embedder {

// Bytes [begin, end) of the text: they start and end on a UTF-8 sequence boundary, not on
// whitespace.
struct ChunkSpan {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t tokens = 0;  // the counter's, summed over the sentences and words in it
  friend bool operator==(const ChunkSpan&, const ChunkSpan&) = default;
};

using TokenCounter = std::function<std::size_t(std::string_view)>;

// Chunks of at most `budget` tokens each; consecutive chunks share up to `overlap` tokens of
// whole sentences (whole words inside a sentence longer than the budget). A text within the
// budget is one chunk; a text of only whitespace is none. Every non-whitespace byte is in at
// least one chunk. A chunk ends at the last paragraph end (a blank line) that keeps it at least
// half full, else at the last sentence end (. ! ? … and their CJK forms, or a line break) that
// does, else where the budget runs out.
std::vector<ChunkSpan> SplitIntoChunks(std::string_view text, std::size_t budget,
                                       std::size_t overlap, const TokenCounter& count);

}  // namespace tributary::embedder
