#include "services/parser/document_json.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "common/codec/codec.hpp"

namespace tributary::parser {

std::string ToJson(const ParsedDocument& document, int indent) {
  using Json = nlohmann::ordered_json;
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
  out["items"] = Json::array();
  for (const auto& item : document.items) {
    out["items"].push_back(Json::parse(codec::ToJson(item)));
  }
  out["children"] = Json::array();
  for (const auto& child : document.children) {
    out["children"].push_back(Json::parse(codec::ToJson(child)));
  }
  return out.dump(indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace tributary::parser
