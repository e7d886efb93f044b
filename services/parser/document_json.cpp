#include "services/parser/document_json.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cstdio>
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

// Writes compact JSON to a FILE in pieces of about kChunk bytes: the text of a 10,000-item feed
// is larger than the feed, and holding all of it at once cost more in fresh pages than the
// writing itself.
class ChunkedWriter {
 public:
  explicit ChunkedWriter(std::FILE* out) : out_(out) { buffer_.reserve(kChunk + kChunk / 4); }
  std::string& buffer() { return buffer_; }
  void MaybeFlush() {
    if (buffer_.size() >= kChunk) Flush();
  }
  bool Flush() {
    if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), out_) != buffer_.size()) {
      ok_ = false;
    }
    buffer_.clear();
    return ok_;
  }

 private:
  static constexpr std::size_t kChunk = 1 << 18;
  std::FILE* out_;
  std::string buffer_;
  bool ok_ = true;
};

// `messages` as a JSON array: items written directly (item_json.hpp), the few children by
// protobuf's printer.
template <typename Messages>
void AppendArray(ChunkedWriter& writer, const char* name, const Messages& messages) {
  auto& out = writer.buffer();
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
    writer.MaybeFlush();
  }
  out += ']';
}

}  // namespace

bool WriteJson(const ParsedDocument& document, int indent, std::FILE* out) {
  auto head = Head(document);
  if (indent < 0) {
    // One line, each item written straight into the text. Building a JSON tree of every item
    // only to print it cost more than the parse itself on a 10,000-item feed.
    ChunkedWriter writer(out);
    writer.buffer() = head.dump(-1, ' ', false, Json::error_handler_t::replace);
    writer.buffer().pop_back();  // the closing brace
    AppendArray(writer, "items", document.items);
    AppendArray(writer, "children", document.children);
    writer.buffer() += "}\n";
    return writer.Flush();
  }
  head["items"] = Json::array();
  for (const auto& item : document.items) {
    head["items"].push_back(Json::parse(codec::ToJson(item)));
  }
  head["children"] = Json::array();
  for (const auto& child : document.children) {
    head["children"].push_back(Json::parse(codec::ToJson(child)));
  }
  const auto text = head.dump(indent, ' ', false, Json::error_handler_t::replace) + "\n";
  return std::fwrite(text.data(), 1, text.size(), out) == text.size();
}

}  // namespace tributary::parser
