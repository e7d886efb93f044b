#include "services/parser/json_reader.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <utility>

#include "services/parser/bounded_json.hpp"
#include "services/parser/dates.hpp"

namespace tributary::parser {
namespace {

using Json = nlohmann::json;

// Strings as they are, numbers and booleans as written, anything else empty.
std::string Scalar(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<std::int64_t>());
  if (value.is_number_unsigned()) return std::to_string(value.get<std::uint64_t>());
  if (value.is_number_float()) return value.dump();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  return {};
}

std::string Field(const Json& object, const char* name) {
  if (!object.is_object()) return {};
  const auto it = object.find(name);
  return it == object.end() ? std::string() : Scalar(*it);
}

// A JSON Feed author object ({"name", "url", "avatar"}), or a string taken as a byline.
Person PersonOf(const Json& value) {
  if (!value.is_object()) return PersonFromText(Scalar(value));
  Person person{.name = Field(value, "name"), .email = Field(value, "email"),
                .uri = Field(value, "url")};
  return person;
}

void Authors(const Json& object, std::vector<Person>& out) {
  if (!object.is_object()) return;
  if (auto it = object.find("authors"); it != object.end() && it->is_array()) {
    for (const auto& author : *it) out.push_back(PersonOf(author));
  }
  if (auto it = object.find("author"); it != object.end()) out.push_back(PersonOf(*it));
}

const Json* Pointer(const Json& root, const std::string& pointer) {
  if (pointer.empty()) return &root;
  try {
    const Json::json_pointer path(pointer);
    if (!root.contains(path)) return nullptr;
    return &root.at(path);
  } catch (const Json::exception&) {
    return nullptr;  // a malformed pointer in the mapping reads as "absent"
  }
}

}  // namespace

bool LooksLikeJsonFeed(std::string_view text) {
  const auto head = text.substr(0, 64 * 1024);
  return head.find("jsonfeed.org/version") != std::string_view::npos;
}

Result<void> ReadJsonFeed(std::string_view text, DocumentBuilder& builder) {
  builder.SetFormat(Format::kJsonFeed);
  auto parsed = ParseBoundedJson(text, builder.limits().max_depth);
  if (!parsed) return tl::unexpected(parsed.error());
  const Json& feed = *parsed;
  if (!feed.is_object()) {
    return Fail(ErrorKind::kPermanent, "parse",
                "JSON document is not a JSON Feed and the source has no json_mapping");
  }
  auto& meta = builder.metadata();
  const auto& limits = builder.limits();
  meta.title = CleanText(Field(feed, "title"), limits.max_title_bytes);
  meta.link = CleanText(Field(feed, "home_page_url"), limits.max_url_bytes);
  meta.description = CleanText(Field(feed, "description"), limits.max_summary_bytes);
  meta.language = CleanText(Field(feed, "language"), 64);
  meta.id = Field(feed, "feed_url");  // a JSON Feed names itself by its URL
  Authors(feed, meta.authors);
  for (auto& author : meta.authors) author = CleanPerson(author, limits);
  builder.SetDocumentLanguage(meta.language);
  const auto items = feed.find("items");
  if (items == feed.end() || !items->is_array()) {
    if (!LooksLikeJsonFeed(text)) {
      return Fail(ErrorKind::kPermanent, "parse",
                  "JSON document is not a JSON Feed and the source has no json_mapping");
    }
    builder.Warn("JSON Feed has no items array");
    return {};
  }
  for (const auto& item : *items) {
    if (!item.is_object()) continue;
    RawEntry entry;
    entry.id = Field(item, "id");
    entry.link = Field(item, "url");
    if (entry.link.empty()) entry.link = Field(item, "external_url");
    entry.title = Field(item, "title");
    entry.summary = Field(item, "summary");
    entry.content = Field(item, "content_html");
    if (entry.content.empty()) entry.content = Field(item, "content_text");
    entry.published = Field(item, "date_published");
    entry.updated = Field(item, "date_modified");
    entry.language = Field(item, "language");
    Authors(item, entry.authors);
    if (auto tags = item.find("tags"); tags != item.end() && tags->is_array()) {
      for (const auto& tag : *tags) entry.categories.push_back(Scalar(tag));
    }
    if (auto files = item.find("attachments"); files != item.end() && files->is_array()) {
      for (const auto& file : *files) {
        const auto size = file.is_object() ? file.value("size_in_bytes", Json()) : Json();
        entry.enclosures.push_back({Field(file, "url"), Field(file, "mime_type"),
                                    size.is_number_integer() ? size.get<std::int64_t>() : 0});
      }
    }
    if (!builder.AddEntry(std::move(entry))) break;
  }
  return {};
}

Result<void> ReadJsonApi(std::string_view text, DocumentBuilder& builder) {
  builder.SetFormat(Format::kJsonApi);
  const auto& mapping = builder.input().request.options().json_mapping();
  if (mapping.empty()) {
    return Fail(ErrorKind::kPermanent, "parse",
                "JSON document is not a JSON Feed and the source has no json_mapping");
  }
  auto parsed = ParseBoundedJson(text, builder.limits().max_depth);
  if (!parsed) return tl::unexpected(parsed.error());
  const auto pointer = [&](const char* key) -> std::string {
    const auto it = mapping.find(key);
    return it == mapping.end() ? std::string() : it->second;
  };
  const auto read = [&](const Json& object, const char* key) -> std::string {
    const auto path = pointer(key);
    if (path.empty()) return {};
    const Json* value = Pointer(object, path);
    return value == nullptr ? std::string() : Scalar(*value);
  };
  auto& meta = builder.metadata();
  meta.title = CleanText(read(*parsed, "feed_title"), builder.limits().max_title_bytes);
  meta.link = CleanText(read(*parsed, "feed_link"), builder.limits().max_url_bytes);
  const Json* items = Pointer(*parsed, pointer("items"));
  if (items == nullptr || !items->is_array()) {
    return Fail(
        ErrorKind::kPermanent, "parse",
        fmt::format("json_mapping items pointer '{}' does not name an array", pointer("items")));
  }
  for (const auto& item : *items) {
    RawEntry entry;
    entry.id = read(item, "id");
    entry.link = read(item, "url");
    entry.title = read(item, "title");
    entry.summary = read(item, "summary");
    entry.content = read(item, "content");
    entry.published = read(item, "published");
    entry.updated = read(item, "updated");
    entry.language = read(item, "language");
    for (const char* key : {"author", "categories"}) {
      const auto path = pointer(key);
      const Json* value = path.empty() ? nullptr : Pointer(item, path);
      if (value == nullptr) continue;
      const bool author = std::string_view(key) == "author";
      const auto add = [&](const Json& v) {
        if (author) {
          entry.authors.push_back(PersonOf(v));
        } else {
          entry.categories.push_back(v.is_object() ? Field(v, "name") : Scalar(v));
        }
      };
      if (value->is_array()) {
        for (const auto& v : *value) add(v);
      } else {
        add(*value);
      }
    }
    if (const auto image = read(item, "image"); !image.empty()) {
      entry.enclosures.push_back({image, "image", 0});
    }
    if (!builder.AddEntry(std::move(entry))) break;
  }
  return {};
}

}  // namespace tributary::parser
