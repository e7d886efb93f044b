#include "services/parser/document_builder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "common/digest/sha256.hpp"
#include "services/parser/charset.hpp"
#include "services/parser/urls.hpp"

namespace tributary::parser {

DocumentBuilder::DocumentBuilder(const ParseInput& input, const Limits& limits)
    : input_(input), item_cap_(limits.max_items) {
  context_.base_url = input.url;
  context_.source_id = input.request.source_id();
  context_.request_id = input.request.request_id();
  context_.fetched_at = input.fetched_at;
  context_.limits = limits;
}

void DocumentBuilder::Collect() {
  if (pool_) dropped_entries_ += pool_->Drain(document_.items);
}

void DocumentBuilder::ReserveItems(std::size_t entries) {
  document_.items.reserve(std::min(entries, item_cap_));
}

bool DocumentBuilder::ItemsFull() {
  if (pool_ && document_.items.size() + pool_->Pending() >= item_cap_) {
    Collect();  // some pending entries may carry nothing and not count
  }
  return document_.items.size() >= item_cap_;
}

std::size_t DocumentBuilder::ItemCount() {
  Collect();
  return document_.items.size();
}

bool DocumentBuilder::AddEntry(RawEntry entry) {
  if (ItemsFull()) {
    if (!warned_items_) {
      warned_items_ = true;
      Warn(fmt::format("more than {} items: the rest were cut", item_cap_));
    }
    return false;
  }
  // Threads only for a document long enough to repay starting them (Limits).
  if (!pool_ && context_.limits.normalize_workers > 0 &&
      document_.items.size() + dropped_entries_ >= context_.limits.normalize_workers_after) {
    pool_ = std::make_unique<NormalizePool>(context_.limits.normalize_workers, context_);
  }
  if (pool_) {
    pool_->Submit(std::move(entry));
    return true;
  }
  auto item = Normalize(entry, context_);
  if (!item) {
    ++dropped_entries_;
    return true;
  }
  document_.items.push_back(std::move(*item));
  return true;
}

void DocumentBuilder::SetDocumentLanguage(const std::string& language) {
  Collect();  // the workers read context_
  context_.language = language;
  if (language.empty()) return;
  const auto clean = CleanText(language, 64);
  for (auto& item : document_.items) {
    if (item.language().empty()) item.set_language(clean);
  }
}

bool DocumentBuilder::AddChild(const std::string& url, v1::SourceKind kind) {
  const auto& request = input_.request;
  const auto max_depth = request.options().max_depth() > 0
                             ? request.options().max_depth()
                             : context_.limits.default_max_child_depth;
  if (request.depth() + 1 > max_depth) {
    if (!warned_depth_) {
      warned_depth_ = true;
      Warn(fmt::format("children at depth {} exceed max depth {}: not requested",
                       request.depth() + 1, max_depth));
    }
    return false;
  }
  auto resolved = SanitizeUtf8Owned(ResolveUrl(url, context_.base_url));
  if (!IsHttpUrl(resolved) || resolved.size() > context_.limits.max_url_bytes) return false;
  v1::FetchRequest child;
  child.set_source_id(request.source_id());
  child.set_url(std::move(resolved));
  child.set_kind(kind);
  child.set_depth(request.depth() + 1);
  child.set_parent_request_id(request.request_id());
  *child.mutable_options() = request.options();
  // Derived, not random: a redelivered document yields the same child ids, and fetch_log is
  // keyed by request id, so a replay does not log a fetch twice.
  child.set_request_id(
      digest::Sha256HexOf(request.request_id() + "\n" + child.url()).substr(0, 32));
  document_.children.push_back(std::move(child));
  return true;
}

void DocumentBuilder::Warn(std::string warning) {
  if (document_.warnings.size() < 32) {
    document_.warnings.push_back(SanitizeUtf8Owned(std::move(warning)));
  }
}

ParsedDocument DocumentBuilder::Take() {
  Collect();
  if (dropped_entries_ > 0) {
    Warn(fmt::format("{} entries were empty and were skipped", dropped_entries_));
    dropped_entries_ = 0;
  }
  auto& meta = document_.metadata;
  for (auto* field : {&meta.id, &meta.title, &meta.link, &meta.description, &meta.language}) {
    *field = SanitizeUtf8Owned(std::move(*field));
  }
  for (auto& author : meta.authors) {
    for (auto* part : {&author.name, &author.email, &author.uri}) {
      *part = SanitizeUtf8Owned(std::move(*part));
    }
  }
  return std::move(document_);
}

}  // namespace tributary::parser
