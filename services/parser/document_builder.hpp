#pragma once
// Collects what the format readers find: normalizes each entry as it arrives, enforces the item
// limit with one warning, and builds child FetchRequests within the source's depth limit.
#include <memory>
#include <string>

#include "services/parser/normalize.hpp"
#include "services/parser/normalize_pool.hpp"
#include "services/parser/parsed_document.hpp"
#include "services/parser/raw_entry.hpp"

namespace tributary::parser {

class DocumentBuilder {
 public:
  DocumentBuilder(const ParseInput& input, const Limits& limits);

  // False once the item limit is reached: the reader should stop.
  bool AddEntry(RawEntry entry);
  // A fetch discovered in the document (sitemap index child, page of a sitemap URL). Dropped,
  // with one warning, when deeper than the source's max depth; false when dropped.
  bool AddChild(const std::string& url, v1::SourceKind kind);
  void Warn(std::string warning);

  // Room for this many items (capped at the item limit), so a long feed does not move every
  // item it already holds each time the list grows.
  void ReserveItems(std::size_t entries);
  // Both wait for entries still being normalized when that decides the answer.
  [[nodiscard]] bool ItemsFull();
  [[nodiscard]] std::size_t ItemCount();
  // Sitemaps may list more entries than feeds (sitemaps.org allows 50,000).
  void SetItemCap(std::size_t cap) { item_cap_ = cap; }
  [[nodiscard]] const Limits& limits() const { return context_.limits; }
  [[nodiscard]] const ParseInput& input() const { return input_; }
  [[nodiscard]] const std::string& base_url() const { return context_.base_url; }
  // The language entries without their own take; entries already read (a streamed item may
  // come before the channel's <language>) take it too.
  void SetDocumentLanguage(const std::string& language);
  FeedMetadata& metadata() { return document_.metadata; }
  void SetFormat(Format format) { document_.format = format; }
  ParsedDocument Take();

 private:
  // Moves what the pool has normalized into the document.
  void Collect();

  const ParseInput& input_;
  NormalizeContext context_;
  ParsedDocument document_;
  // Started once a document proves long, when limits.normalize_workers > 0; reads context_.
  std::unique_ptr<NormalizePool> pool_;
  std::size_t item_cap_;
  bool warned_items_ = false;
  bool warned_depth_ = false;
  std::size_t dropped_entries_ = 0;
};

}  // namespace tributary::parser
