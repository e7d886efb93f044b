#pragma once
// What the embedder embeds for one item (issue 18): the passages ("chunks") of its text
// (content_text, else summary), each with the title before it, cut by the chunker in the
// backend's own tokens; or, for an item with no text at all, the one text PrepareText falls
// back to (title, URL, id). The item's vector is its first passage's.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "services/embedder/chunker.hpp"
#include "services/embedder/text.hpp"

namespace tributary::v1 {
class Item;
}

namespace tributary::embedder {

struct ChunkSettings {
  std::size_t tokens = 256;     // per passage, the title and the model's special tokens included
  std::size_t overlap = 32;     // shared by consecutive passages, at most
  std::size_t max_chunks = 32;  // passages past this many are not embedded
};

struct Passage {
  std::string text;          // what the backend embeds
  std::string content_hash;  // SHA-256 of `text` (32 bytes); the item's content_hash when
                             // not a chunk, as item_embeddings caches it
  std::size_t tokens = 0;    // of `text`, as the backend counts
  std::uint32_t char_begin = 0;  // the passage in the item's text, in characters
  std::uint32_t char_end = 0;
  bool is_chunk = false;     // false: the no-text fallback, stored only as the item's vector
};

struct ItemPassages {
  std::vector<Passage> passages;  // at least one
  bool truncated = false;         // a passage was cut to the input limits
  std::size_t dropped = 0;        // passages past max_chunks
};

ItemPassages PassagesOf(const v1::Item& item, const ChunkSettings& chunks,
                        const TextLimits& limits, const TokenCounter& count);

}  // namespace tributary::embedder
