#include "services/parser/document_json.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>
#include <type_traits>
#include <nlohmann/json.hpp>

#include "common/codec/codec.hpp"
#include "services/parser/item_json.hpp"

namespace tributary::parser {
namespace {

using Json = nlohmann::ordered_json;

// Everything but the items and children, which come last.
Json Head(const ParsedDocument& document) {
  Json out;
  out["format"] = FormatName(document.format);
  const auto& meta = document.metadata;
  out["id"] = meta.id;
  out["title"] = meta.title;
  out["link"] = meta.link;
  out["description"] = meta.description;
  out["language"] = meta.language;
  out["updated"] = meta.updated_unix == 0
                       ? std::string()
                       : fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                                     fmt::gmtime(static_cast<std::time_t>(meta.updated_unix)));
  out["authors"] = Json::array();
  out["authorDetails"] = Json::array();
  for (const auto& author : meta.authors) {
    out["authors"].push_back(author.Display());
    out["authorDetails"].push_back(
        Json{{"name", author.name}, {"email", author.email}, {"uri", author.uri}});
  }
  out["categories"] = meta.categories;
  out["warnings"] = document.warnings;
  return out;
}

// `messages` as a JSON array: items written directly (item_json.hpp), the few children by
// protobuf's printer.
template <typename Messages>
void AppendArray(std::string& out, const char* name, const Messages& messages) {
  out += ",\"";
  out += name;
  out += "\":[";
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (i > 0) out += ',';
    if constexpr (std::is_same_v<typename Messages::value_type, v1::Item>) {
      AppendItemJson(messages[i], out);
    } else {
      out += codec::ToJson(messages[i]);
    }
  }
  out += ']';
}

}  // namespace

std::string ToJson(const ParsedDocument& document, int indent) {
  auto head = Head(document);
  if (indent < 0) {
    // One line, written straight into the string. Building a JSON tree of every item only to
    // print it cost more than the parse itself on a 10,000-item feed.
    std::string out = head.dump(-1, ' ', false, Json::error_handler_t::replace);
    out.pop_back();  // the closing brace
    std::size_t text = 0;  // room for the items at once: growing by doubling copies them all
    for (const auto& item : document.items) {
      text += item.title().size() + item.summary().size() + item.content_text().size() +
              item.url().size() * 2 + item.external_id().size() + 256;
    }
    out.reserve(out.size() + text);
    AppendArray(out, "items", document.items);
    AppendArray(out, "children", document.children);
    out += '}';
    return out;
  }
  head["items"] = Json::array();
  for (const auto& item : document.items) {
    head["items"].push_back(Json::parse(codec::ToJson(item)));
  }
  head["children"] = Json::array();
  for (const auto& child : document.children) {
    head["children"].push_back(Json::parse(codec::ToJson(child)));
  }
  return head.dump(indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace tributary::parser
