#include "services/embedder/chunker.hpp"

#include <algorithm>

#include "common/base/utf8.hpp"
#include "services/embedder/text.hpp"

namespace tributary::embedder {
namespace {

// How good a place the end of a unit is to end a chunk.
enum class Break { kWord, kSentence, kParagraph };

// A stretch of text the packer keeps whole: a sentence, or a word (piece) of a sentence longer
// than the budget. No whitespace at either end.
struct Unit {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t tokens = 0;
  Break after = Break::kWord;
};

bool StartsWith(std::string_view text, std::size_t i, std::string_view what) {
  return text.substr(i, what.size()) == what;
}

// Bytes of a closing quote or bracket ending at `end` (exclusive), or 0: a sentence may end
// with `."` or `.)` before its space.
std::size_t ClosingLengthBefore(std::string_view text, std::size_t end) {
  if (end == 0) return 0;
  const char c = text[end - 1];
  if (c == '"' || c == '\'' || c == ')' || c == ']') return 1;
  for (const std::string_view closing : {"\u201D", "\u2019", "\u00BB"}) {  // ” ’ »
    if (end >= closing.size() && text.substr(end - closing.size(), closing.size()) == closing) {
      return closing.size();
    }
  }
  return 0;
}

// Whether the text before `end` (exclusive) finishes a sentence: . ! ? or …, then any
// closing quotes or brackets.
bool EndsSentence(std::string_view text, std::size_t begin, std::size_t end) {
  while (end > begin) {
    const auto closing = ClosingLengthBefore(text, end);
    if (closing == 0) break;
    end -= closing;
  }
  if (end == begin) return false;
  const char c = text[end - 1];
  if (c == '.' || c == '!' || c == '?') return true;
  return end - begin >= 3 && text.substr(end - 3, 3) == "\u2026";  // …
}

// Bytes of a CJK full stop, exclamation or question mark at `i`, or 0: these end a sentence
// with no space after them.
std::size_t CjkStopLength(std::string_view text, std::size_t i) {
  for (const std::string_view stop : {"\u3002", "\uFF01", "\uFF1F"}) {  // 。！？
    if (StartsWith(text, i, stop)) return stop.size();
  }
  return 0;
}

// The text's sentences, each with how strongly it ends.
std::vector<Unit> Sentences(std::string_view text) {
  std::vector<Unit> units;
  std::size_t start = 0;
  const auto close = [&](std::size_t end, Break after) {
    if (end > start) units.push_back({.begin = start, .end = end, .after = after});
  };
  std::size_t i = 0;
  while (i < text.size()) {
    if (WhitespaceLength(text, i) > 0) {
      std::size_t j = i;
      int newlines = 0;
      for (std::size_t n = 0; j < text.size() && (n = WhitespaceLength(text, j)) > 0; j += n) {
        newlines += text[j] == '\n' ? 1 : 0;
      }
      if (newlines >= 2) {
        // A sentence closed already (by a CJK stop) before this blank line ends a paragraph.
        if (start == i && !units.empty() && units.back().end == i) {
          units.back().after = Break::kParagraph;
        }
        close(i, Break::kParagraph);
        start = j;
      } else if (newlines == 1 || EndsSentence(text, start, i)) {
        close(i, Break::kSentence);
        start = j;
      } else if (start == i) {
        start = j;  // leading whitespace
      }
      i = j;
      continue;
    }
    if (const auto stop = CjkStopLength(text, i); stop > 0) {
      i += stop;
      close(i, Break::kSentence);
      start = i;
      continue;
    }
    ++i;
  }
  close(text.size(), Break::kParagraph);
  return units;
}

// The longest prefix of [begin, end) of at most `budget` tokens, ending on a UTF-8 boundary;
// at least one code point, so the caller always moves on.
std::size_t FittingPrefixEnd(std::string_view text, std::size_t begin, std::size_t end,
                             std::size_t budget, const TokenCounter& count) {
  const auto boundary = [&](std::size_t at) {
    while (at < end && IsUtf8Continuation(text[at])) ++at;
    return at;
  };
  std::size_t fits = boundary(begin + 1);  // one code point, whatever it costs
  std::size_t too_long = end;              // the caller counted the whole: over the budget
  while (fits + 1 < too_long) {
    const std::size_t middle = boundary(fits + (too_long - fits) / 2);
    if (middle >= too_long) break;
    if (count(text.substr(begin, middle - begin)) <= budget) {
      fits = middle;
    } else {
      too_long = middle;
    }
  }
  return fits;
}

// A sentence longer than the budget as words, and a word longer than the budget as pieces.
void AppendSplit(std::string_view text, const Unit& sentence, std::size_t budget,
                 const TokenCounter& count, std::vector<Unit>& units) {
  std::size_t i = sentence.begin;
  while (i < sentence.end) {
    std::size_t word_end = i;
    while (word_end < sentence.end && WhitespaceLength(text, word_end) == 0) ++word_end;
    std::size_t piece = i;
    while (piece < word_end) {
      std::size_t piece_end = word_end;
      std::size_t tokens = count(text.substr(piece, word_end - piece));
      if (tokens > budget) {
        piece_end = FittingPrefixEnd(text, piece, word_end, budget, count);
        tokens = count(text.substr(piece, piece_end - piece));
      }
      units.push_back({.begin = piece, .end = piece_end, .tokens = tokens});
      piece = piece_end;
    }
    i = word_end;
    while (i < sentence.end && WhitespaceLength(text, i) > 0) i += WhitespaceLength(text, i);
  }
  if (!units.empty()) units.back().after = sentence.after;
}

}  // namespace

std::vector<ChunkSpan> SplitIntoChunks(std::string_view text, std::size_t budget,
                                       std::size_t overlap, const TokenCounter& count) {
  budget = std::max<std::size_t>(budget, 1);
  std::vector<Unit> units;
  for (auto sentence : Sentences(text)) {
    sentence.tokens = count(text.substr(sentence.begin, sentence.end - sentence.begin));
    if (sentence.tokens <= budget) {
      units.push_back(sentence);
    } else {
      AppendSplit(text, sentence, budget, count, units);
    }
  }
  std::vector<ChunkSpan> chunks;
  std::size_t first = 0;
  std::size_t fresh = 0;  // the first unit no chunk has yet: each chunk must take it
  while (first < units.size()) {
    // As many units as fit, at least one.
    std::size_t end = first;
    std::size_t total = 0;
    while (end < units.size() && (end == first || total + units[end].tokens <= budget)) {
      total += units[end++].tokens;
    }
    // The budget ran out before the text did: end at the strongest break that keeps the chunk
    // at least half full (and past what the chunks before took).
    if (end < units.size()) {
      const std::size_t lowest_cut = std::max(first, fresh) + 1;
      for (const Break wanted : {Break::kParagraph, Break::kSentence}) {
        std::size_t kept = total;
        std::size_t cut = end;
        for (; cut > lowest_cut && kept * 2 >= budget; --cut) {
          if (units[cut - 1].after >= wanted) break;
          kept -= units[cut - 1].tokens;
        }
        if (cut >= lowest_cut && units[cut - 1].after >= wanted && kept * 2 >= budget) {
          end = cut;
          break;
        }
      }
    }
    std::size_t tokens = 0;
    for (std::size_t u = first; u < end; ++u) tokens += units[u].tokens;
    chunks.push_back({.begin = units[first].begin, .end = units[end - 1].end, .tokens = tokens});
    if (end == units.size()) break;
    fresh = end;
    // The next chunk starts with the last units of this one, up to `overlap` tokens of them,
    // after this one's start, and leaving room for the first unit this one did not take (so it
    // never repeats a part of this one and nothing more).
    std::size_t next = end;
    std::size_t shared = 0;
    while (next > first + 1 && shared + units[next - 1].tokens <= overlap &&
           shared + units[next - 1].tokens + units[end].tokens <= budget) {
      shared += units[--next].tokens;
    }
    first = next;
  }
  return chunks;
}

}  // namespace tributary::embedder
