#pragma once
// RawEntry -> v1::Item: text from HTML, resolved and canonical URLs, UTC dates, the stable
// external_id and the content hash. Pure and deterministic: the same entry fetched twice gives
// byte-identical items except observed_at and request_id.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "services/parser/limits.hpp"
#include "services/parser/parsed_document.hpp"
#include "services/parser/raw_entry.hpp"
#include "tributary/v1/item.pb.h"

namespace tributary::parser {

struct NormalizeContext {
  std::string base_url;  // the document URL (after redirects)
  std::string language;  // the document's language, used when the entry has none
  std::int64_t source_id = 0;
  std::string request_id;
  std::chrono::system_clock::time_point fetched_at{};
  Limits limits;
};

// Nothing when the entry carries nothing at all (the caller warns).
std::optional<v1::Item> Normalize(const RawEntry& entry, const NormalizeContext& context);

// SHA-256 of the fields downstream cares about, each length-prefixed so "ab"+"c" != "a"+"bc".
std::string ContentHash(const v1::Item& item);

// Plain text of a field that may hold HTML, bounded and valid UTF-8.
std::string CleanText(std::string_view text, std::size_t max_bytes);

// A person's name and email as clean text, the uri trimmed (not yet resolved: the caller knows
// the base); parts over their limit are cut (name, email) or dropped (uri).
Person CleanPerson(const Person& person, const Limits& limits);

// The feed's id, authors and categories cleaned in place: text, no empty or repeated entries,
// at most max_list_entries each.
void CleanFeedLists(FeedMetadata& meta, const Limits& limits);

}  // namespace tributary::parser
