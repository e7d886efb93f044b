#include "services/embedder/passages.hpp"

#include <algorithm>

#include "common/base/utf8.hpp"
#include "common/digest/sha256.hpp"
#include "tributary/v1/item.pb.h"

namespace tributary::embedder {
namespace {

constexpr std::size_t kSpecialTokens = 2;  // [CLS] and [SEP] (or a model's equivalents)

// Code points of text[from, to): byte offsets to the character offsets SQL counts in.
std::size_t CodePoints(std::string_view text, std::size_t from, std::size_t to) {
  std::size_t count = 0;
  for (std::size_t i = from; i < to; ++i) count += IsUtf8Continuation(text[i]) ? 0 : 1;
  return count;
}

// Cut to the input limits; a cut may leave a space at the end.
bool Limit(std::string& text, const TextLimits& limits) {
  const auto kept = TruncateUtf8(text, limits).size();
  if (kept == text.size()) return false;
  text.resize(kept);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n')) text.pop_back();
  return true;
}

}  // namespace

ItemPassages PassagesOf(const v1::Item& item, const ChunkSettings& chunks,
                        const TextLimits& limits, const TokenCounter& count) {
  ItemPassages out;
  const std::string_view text =
      item.content_text().empty() ? std::string_view(item.summary()) : item.content_text();
  const auto title = NormalizeWhitespace(item.title());
  // The title rides in every passage; a passage keeps at least half the window however long
  // the title is (the backend cuts what does not fit, and says so).
  const std::size_t title_tokens = title.empty() ? 0 : count(title);
  const std::size_t budget = std::max(chunks.tokens / 2,
                                      chunks.tokens - std::min(chunks.tokens,
                                                               kSpecialTokens + title_tokens));
  const auto spans = SplitIntoChunks(text, budget, chunks.overlap, count);
  if (spans.empty()) {
    auto prepared = PrepareText(item, limits);
    out.truncated = prepared.truncated;
    out.passages.push_back({.text = std::move(prepared.text),
                            .content_hash = item.content_hash(),
                            .tokens = prepared.tokens});
    return out;
  }
  std::size_t bytes_seen = 0;
  std::size_t chars_seen = 0;
  for (const auto& span : spans) {
    if (out.passages.size() == chunks.max_chunks) {
      ++out.dropped;
      continue;
    }
    // Spans move forward (overlap aside): count characters from the last span's start.
    const std::size_t begin = chars_seen + CodePoints(text, bytes_seen, span.begin);
    bytes_seen = span.begin;
    chars_seen = begin;
    const std::size_t end = begin + CodePoints(text, span.begin, span.end);
    auto passage_text = NormalizeWhitespace(text.substr(span.begin, span.end - span.begin));
    if (!title.empty()) passage_text = title + "\n\n" + passage_text;
    out.truncated = Limit(passage_text, limits) || out.truncated;
    Passage passage{.text = std::move(passage_text),
                    .char_begin = static_cast<std::uint32_t>(begin),
                    .char_end = static_cast<std::uint32_t>(end),
                    .is_chunk = true};
    passage.content_hash = digest::Sha256Of(passage.text);
    passage.tokens = title_tokens + span.tokens;
    out.passages.push_back(std::move(passage));
  }
  return out;
}

}  // namespace tributary::embedder
