#pragma once
// The XML feed readers: RSS 0.90/0.91/0.92/2.0, RSS 1.0 (RDF) and Atom 0.3/1.0. Each takes a
// parsed document whose root it recognised and fills the builder.
#include "services/parser/document_builder.hpp"
#include "services/parser/xml_document.hpp"

namespace tributary::parser {

namespace ns {
inline constexpr std::string_view kAtom1 = "http://www.w3.org/2005/Atom";
inline constexpr std::string_view kAtom03 = "http://purl.org/atom/ns#";
inline constexpr std::string_view kRdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
inline constexpr std::string_view kRss090 = "http://my.netscape.com/rdf/simple/0.9/";
inline constexpr std::string_view kRss1 = "http://purl.org/rss/1.0/";
inline constexpr std::string_view kContent = "http://purl.org/rss/1.0/modules/content/";
inline constexpr std::string_view kDc = "http://purl.org/dc/elements/1.1/";
inline constexpr std::string_view kMedia = "http://search.yahoo.com/mrss/";
inline constexpr std::string_view kDcTerms = "http://purl.org/dc/terms/";
inline constexpr std::string_view kXhtml = "http://www.w3.org/1999/xhtml";
}  // namespace ns

// The format of an XML feed from its root element, or kUnknown.
Format FeedFormatOf(const xml::Document& document);
Format FeedFormatOf(const xmlNode* root);

// Atom elements are those of Atom 1.0 or 0.3, or of no namespace (feeds that forgot it).
bool IsAtom(const xmlNode* node);

// One RSS <item> / Atom <entry>, as the streamed parse hands it over (parser.cpp); ReadRss and
// ReadAtom read the feed's own elements and whatever was not streamed.
void ReadRssItem(const xml::Document& document, const xmlNode* item, DocumentBuilder& builder);
void ReadAtomEntry(const xml::Document& document, const xmlNode* entry, DocumentBuilder& builder);

// An Atom text construct (title, subtitle, summary, content; also atom: elements in RSS): the
// text, the escaped HTML as markup, inline XHTML serialized, base64 (Atom 0.3) decoded; at most
// `max_bytes`.
std::string AtomText(const xmlNode* node, std::size_t max_bytes);

// An Atom person construct (<name>, <email>, <uri>; Atom 0.3's <url>); plain text inside
// <author> is read like an RSS byline.
Person AtomPerson(const xmlNode* node);

// CDF (Channel Definition Format): the root is a <CHANNEL> in CDF's upper case or with HREF.
bool IsCdf(const xmlNode* root);
void ReadCdf(const xml::Document& document, DocumentBuilder& builder);

// Media RSS title and description, kept aside until the entry is read: they only stand in for
// the entry's own.
struct MediaText {
  std::string title;
  std::string description;
};
// The Media RSS namespace, as published and as often written (without its final '/').
bool IsMedia(std::string_view space);
// One media: element of an entry (media_rss.cpp).
void ReadMedia(const xmlNode* node, RawEntry& entry, MediaText& text, int depth = 0);
void ApplyMediaText(MediaText& text, RawEntry& entry);

void ReadRss(const xml::Document& document, Format format, DocumentBuilder& builder);
void ReadAtom(const xml::Document& document, DocumentBuilder& builder);

}  // namespace tributary::parser
