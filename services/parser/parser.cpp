#include "services/parser/parser.hpp"

#include <fmt/format.h>

#include "services/parser/charset.hpp"
#include "services/parser/document_builder.hpp"
#include "services/parser/feed_xml.hpp"
#include "services/parser/full_text.hpp"
#include "services/parser/gzip.hpp"
#include "services/parser/html_reader.hpp"
#include "services/parser/json_reader.hpp"
#include "services/parser/sitemap_reader.hpp"
#include "services/parser/urls.hpp"

namespace tributary::parser {
namespace {

enum class Shape { kXml, kHtml, kJson, kText };

std::string LowerAscii(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The first element's name (lower-cased, prefix kept), skipping the prolog, comments, DOCTYPE.
std::string FirstElementName(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    i = text.find('<', i);
    if (i == std::string_view::npos || i + 1 >= text.size()) return {};
    if (text.substr(i, 4) == "<!--") {
      const auto end = text.find("-->", i + 4);
      if (end == std::string_view::npos) return {};
      i = end + 3;
      continue;
    }
    if (text[i + 1] == '?' || text[i + 1] == '!') {
      ++i;
      continue;
    }
    auto j = i + 1;
    while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) ||
                               text[j] == ':' || text[j] == '-' || text[j] == '_')) {
      ++j;
    }
    return LowerAscii(text.substr(i + 1, j - i - 1));
  }
  return {};
}

Shape Sniff(std::string_view text, const ParseInput& input) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return Shape::kText;
  const char c = text[first];
  if (c == '{' || c == '[') return Shape::kJson;
  const auto content_type = LowerAscii(input.content_type);
  if (c == '<') {
    // No window: a DOCTYPE (an internal subset of entities) may run past any fixed one.
    const auto name = FirstElementName(text.substr(first));
    const auto local = name.substr(name.find(':') == std::string::npos ? 0 : name.find(':') + 1);
    if (local == "html" || local == "head" || local == "body") return Shape::kHtml;
    if (local == "rss" || local == "rdf" || local == "feed" || local == "urlset" ||
        local == "sitemapindex" || local == "channel") {
      return Shape::kXml;
    }
    if (input.kind == v1::SOURCE_KIND_PAGE || content_type.find("html") != std::string::npos ||
        LowerAscii(text.substr(first, 14)) == "<!doctype html" || local.empty()) {
      return Shape::kHtml;  // tag soup: the forgiving parser
    }
    return Shape::kXml;  // some other XML vocabulary: reported as unrecognised
  }
  if (IsHttpUrl(text.substr(first, 16))) return Shape::kText;
  if (input.kind == v1::SOURCE_KIND_PAGE || content_type.find("html") != std::string::npos) {
    return Shape::kHtml;
  }
  return Shape::kText;
}

// A feed's items are read as the parse completes each one and then freed (ElementStream): the
// whole document never exists as one tree, and the parse stops at the item limit.
xml::Streamed StreamItem(const xml::Document& document, xmlNode* node,
                         DocumentBuilder& builder, Format& format) {
  if (format == Format::kUnknown) format = FeedFormatOf(xmlDocGetRootElement(node->doc));
  const bool atom = format == Format::kAtom03 || format == Format::kAtom1;
  const bool rss = format == Format::kRss090 || format == Format::kRss091 ||
                   format == Format::kRss092 || format == Format::kRss2 ||
                   format == Format::kRss1Rdf;
  const auto name = xml::Name(node);
  if (!(atom && name == "entry" && IsAtom(node)) && !(rss && name == "item")) {
    return xml::Streamed::kKeep;
  }
  if (builder.ItemsFull()) {
    builder.AddEntry({});  // records the cut once
    return xml::Streamed::kStop;
  }
  if (atom) {
    ReadAtomEntry(document, node, builder);
  } else {
    ReadRssItem(document, node, builder);
  }
  return xml::Streamed::kConsumed;
}

Result<void> ReadXml(std::string_view text, DocumentBuilder& builder) {
  std::string problem;
  Format streamed_format = Format::kUnknown;
  const xml::ElementStream stream{
      .names = {"item", "entry"},
      .on_element = [&](const xml::Document& document, xmlNode* node) {
        return StreamItem(document, node, builder, streamed_format);
      }};
  auto document = xml::Document::Parse(text, builder.base_url(), &problem, &stream);
  if (!document) return tl::unexpected(document.error());
  if (!problem.empty()) builder.Warn("ill-formed XML, recovered: " + SanitizeUtf8(problem));
  const auto root = xml::Name(document->Root());
  if (root == "urlset" || root == "sitemapindex") {
    ReadSitemapXml(*document, builder);
    return {};
  }
  const auto format = FeedFormatOf(*document);
  switch (format) {
    case Format::kAtom03:
    case Format::kAtom1:
      ReadAtom(*document, builder);
      return {};
    case Format::kCdf:
      ReadCdf(*document, builder);
      return {};
    case Format::kUnknown:
      return Fail(ErrorKind::kPermanent, "parse",
                  fmt::format("unrecognised XML document (root element <{}>)",
                              SanitizeUtf8(std::string(root).substr(0, 64))));
    default:
      ReadRss(*document, format, builder);
      return {};
  }
}

}  // namespace

const char* FormatName(Format format) {
  switch (format) {
    case Format::kRss090:
      return "rss090";
    case Format::kRss091:
      return "rss091";
    case Format::kRss092:
      return "rss092";
    case Format::kRss2:
      return "rss2";
    case Format::kRss1Rdf:
      return "rss1";
    case Format::kAtom03:
      return "atom03";
    case Format::kAtom1:
      return "atom1";
    case Format::kCdf:
      return "cdf";
    case Format::kJsonFeed:
      return "jsonfeed";
    case Format::kSitemapUrlset:
      return "sitemap_urlset";
    case Format::kSitemapIndex:
      return "sitemap_index";
    case Format::kSitemapText:
      return "sitemap_text";
    case Format::kHtmlPage:
      return "html_page";
    case Format::kJsonApi:
      return "json_api";
    case Format::kUnknown:
      break;
  }
  return "unknown";
}

Result<ParsedDocument> Parse(const ParseInput& input, const Limits& limits) {
  DocumentBuilder builder(input, limits);
  std::string_view body = input.body;
  std::string inflated;
  if (IsGzip(body)) {
    auto result = Gunzip(body, limits.max_body_bytes);
    if (!result) return tl::unexpected(result.error());
    if (result->truncated) builder.Warn("gzip data cut at the size limit or truncated");
    inflated = std::move(result->data);
    body = inflated;
  }
  if (body.size() > limits.max_body_bytes) {
    builder.Warn(fmt::format("document larger than {} bytes: cut", limits.max_body_bytes));
    body = body.substr(0, limits.max_body_bytes);
  }
  Decoded decoded;  // owns the text only when it had to be converted or repaired
  std::string_view text = DecodeToUtf8(body, CharsetFromContentType(input.content_type), decoded);
  if (decoded.lossy) builder.Warn("invalid byte sequences replaced with U+FFFD");
  const auto shape = Sniff(text, input);
  // Sitemaps.org caps a sitemap at 50 MB; checked once we know it is one (below).
  Result<void> read;
  switch (shape) {
    case Shape::kJson:
      // A source with a mapping is an API unless the document says it is a JSON Feed.
      read = LooksLikeJsonFeed(text) || input.request.options().json_mapping().empty()
                 ? ReadJsonFeed(text, builder)
                 : ReadJsonApi(text, builder);
      break;
    case Shape::kHtml:
      read = ReadHtmlPage(text, builder);
      break;
    case Shape::kText:
      if (text.size() > limits.max_sitemap_bytes) {
        builder.Warn(fmt::format("sitemap larger than {} bytes: cut", limits.max_sitemap_bytes));
        text = text.substr(0, limits.max_sitemap_bytes);
      }
      ReadTextSitemap(text, builder);
      if (builder.ItemCount() == 0) {
        return Fail(ErrorKind::kPermanent, "parse",
                    text.find_first_not_of(" \t\r\n") == std::string_view::npos
                        ? "empty document"
                        : "unrecognised document: not XML, HTML, JSON or a list of URLs");
      }
      break;
    case Shape::kXml: {
      const auto name = FirstElementName(text);
      if ((name == "urlset" || name == "sitemapindex") && text.size() > limits.max_sitemap_bytes) {
        builder.Warn(fmt::format("sitemap larger than {} bytes: cut", limits.max_sitemap_bytes));
        text = text.substr(0, limits.max_sitemap_bytes);
      }
      read = ReadXml(text, builder);
      break;
    }
  }
  if (!read) return tl::unexpected(read.error());
  auto parsed = builder.Take();
  if (input.request.has_article_of()) return AsArticle(std::move(parsed), input);
  MarkArticlesWanted(parsed, input.request.options());
  return parsed;
}

}  // namespace tributary::parser
