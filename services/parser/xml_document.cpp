#include "services/parser/xml_document.hpp"

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/xmlsave.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <mutex>
#include <utility>

#include "services/parser/entity_refs.hpp"

namespace tributary::parser::xml {
namespace {

// Parse errors go to `problem`, never to stderr.
void IgnoreError(void* /*ctx*/, xmlErrorPtr /*error*/) {}

void InitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

constexpr int kOptions = XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR |
                         XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC | XML_PARSE_COMPACT |
                         XML_PARSE_NOCDATA;

const LiftedText* LiftedOf(const xmlNode* node) {
  return node->doc != nullptr ? static_cast<const LiftedText*>(node->doc->_private) : nullptr;
}

// Puts lifted text (lifted_text.hpp) back into text read from the tree.
void Expand(const xmlNode* node, std::string& text, bool escape) {
  const LiftedText* lifted = LiftedOf(node);
  if (lifted == nullptr || !LiftedText::HasMarker(text)) return;
  std::string expanded;
  expanded.reserve(text.size() * 2);
  lifted->AppendExpanded(text, expanded, escape);
  text = std::move(expanded);
}

void AppendText(const xmlNode* node, std::string& out, std::size_t max_bytes, int depth) {
  for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (out.size() >= max_bytes) return;
    if (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) {
      if (child->content != nullptr) out.append(reinterpret_cast<const char*>(child->content));
    } else if (child->type == XML_ELEMENT_NODE && depth < 512) {
      AppendText(child, out, max_bytes, depth + 1);
    } else if (child->type == XML_ENTITY_REF_NODE) {
      // An entity the document's own DTD subset declares: its replacement text, one level
      // deep (references inside it stay unexpanded), so each reference adds at most one
      // declaration's text and the max_bytes check above bounds the total: no billion laughs.
      const auto* entity = reinterpret_cast<const xmlEntity*>(child->children);
      if (entity != nullptr && entity->etype == XML_INTERNAL_GENERAL_ENTITY &&
          entity->content != nullptr) {
        out.append(reinterpret_cast<const char*>(entity->content));
      }
    }
  }
}

// What the end-of-element hook needs, in the parser context's _private.
struct StreamState {
  const ElementStream* stream = nullptr;
  const Document* document = nullptr;
  const LiftedText* lifted = nullptr;
  bool* stopped = nullptr;
};

// A child or grandchild of the root element.
bool NearRoot(const xmlNode* node) {
  const xmlNode* parent = node->parent;
  if (parent == nullptr || parent->type != XML_ELEMENT_NODE) return false;
  if (parent->parent != nullptr && parent->parent->type == XML_DOCUMENT_NODE) return true;
  const xmlNode* grandparent = parent->parent;
  return grandparent != nullptr && grandparent->type == XML_ELEMENT_NODE &&
         grandparent->parent != nullptr && grandparent->parent->type == XML_DOCUMENT_NODE;
}

// libxml2's SAX2 end-of-element (which builds the tree), then the stream's handler for the
// element just closed.
void EndElementAndStream(void* context, const xmlChar* local_name, const xmlChar* prefix,
                         const xmlChar* uri) {
  auto* ctxt = static_cast<xmlParserCtxtPtr>(context);
  auto* state = static_cast<StreamState*>(ctxt->_private);
  xmlNode* node = ctxt->node;  // the element being closed, until SAX2 pops it
  xmlSAX2EndElementNs(context, local_name, prefix, uri);
  if (state == nullptr || *state->stopped || node == nullptr ||
      node->type != XML_ELEMENT_NODE || !NearRoot(node)) {
    return;
  }
  const auto name = Name(node);
  const auto& names = state->stream->names;
  if (std::find(names.begin(), names.end(), name) == names.end()) return;
  // The text helpers find the lifted pieces through the document (set for good after parsing).
  if (node->doc != nullptr) node->doc->_private = const_cast<LiftedText*>(state->lifted);
  const auto outcome = state->stream->on_element(*state->document, node);
  if (outcome == Streamed::kKeep) return;
  xmlUnlinkNode(node);
  xmlFreeNode(node);
  // SAX2 appends the next characters to the parent's last text node through its own record
  // of that node's length (nodelen/nodemem), kept for whatever text node it last wrote. With
  // the element gone, the text before it is last again and that record is stale: 0 makes SAX2
  // measure the node instead.
  ctxt->nodelen = 0;
  ctxt->nodemem = 0;
  if (outcome == Streamed::kStop) {
    *state->stopped = true;
    xmlStopParser(ctxt);
  }
}

}  // namespace

Result<Document> Document::Parse(std::string_view utf8, const std::string& url,
                                 std::string* problem, const ElementStream* stream) {
  InitOnce();
  if (utf8.size() > static_cast<std::size_t>(INT_MAX)) {
    return Fail(ErrorKind::kPermanent, "parse", "document larger than 2 GiB");
  }
  std::unique_ptr<xmlParserCtxt, decltype(&xmlFreeParserCtxt)> ctxt(xmlNewParserCtxt(),
                                                                    &xmlFreeParserCtxt);
  if (!ctxt) return Fail(ErrorKind::kRetryable, "parse", "out of memory creating XML parser");
  xmlSetStructuredErrorFunc(nullptr, &IgnoreError);
  Document document;
  document.url_ = url;
  document.has_xml_base_ = utf8.find("xml:base") != std::string_view::npos;
  std::string with_refs;
  if (auto rewritten = WithXmlEntityRefs(utf8); rewritten) {
    with_refs = std::move(*rewritten);
    utf8 = with_refs;
  }
  std::string lifted_text;
  if (auto lifted = LiftedText::Lift(utf8); lifted) {
    lifted_text = std::move(lifted->first);
    document.lifted_ = std::make_unique<LiftedText>(std::move(lifted->second));
    utf8 = lifted_text;
  }
  StreamState state{.stream = stream,
                    .document = &document,
                    .lifted = document.lifted_.get(),
                    .stopped = &document.stopped_};
  if (stream != nullptr) {
    ctxt->_private = &state;
    ctxt->sax->endElementNs = &EndElementAndStream;
  }
  document.doc_.reset(xmlCtxtReadMemory(ctxt.get(), utf8.data(), static_cast<int>(utf8.size()),
                                        url.empty() ? nullptr : url.c_str(),
                                        // No encoding named: the text is UTF-8 already (and
                                        // XML_PARSE_IGNORE_ENC skips the declaration), and naming
                                        // "UTF-8" would make libxml2 copy it through its UTF-8 to
                                        // UTF-8 converter chunk by chunk.
                                        nullptr, kOptions));
  ctxt->_private = nullptr;
  std::string message;
  if (ctxt->wellFormed == 0 && !document.stopped_) {
    const xmlError* error = xmlCtxtGetLastError(ctxt.get());
    message = error != nullptr && error->message != nullptr ? error->message : "ill-formed XML";
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
      message.pop_back();
    }
    if (error != nullptr) message += " (line " + std::to_string(error->line) + ")";
  }
  if (problem != nullptr) *problem = message;
  if (!document.doc_ || document.Root() == nullptr) {
    return Fail(ErrorKind::kPermanent, "parse",
                "not XML: " + (message.empty() ? std::string("no root element") : message));
  }
  document.doc_->_private = document.lifted_.get();
  return document;
}

std::string Document::Base(const xmlNode* node) const {
  if (!has_xml_base_) return url_;
  // node->doc, not doc_: a streamed element is read while its document is still being parsed.
  std::unique_ptr<xmlChar, decltype(xmlFree)> base(xmlNodeGetBase(node->doc, node), xmlFree);
  return base ? std::string(reinterpret_cast<const char*>(base.get())) : url_;
}

// libxml2 keeps an element whose prefix was never declared (`<itunes:summary>` in a feed that
// forgot xmlns:itunes, common in podcasts) under its full name and with no namespace. Feed
// readers go by the conventional prefix instead, so do we: for a prefix we know, the local name
// is what follows the colon and the namespace is the one that prefix always means. An unknown
// prefix keeps the full name and no namespace, so `<foo:title>` never passes for `<title>`.
std::string_view Name(const xmlNode* node) {
  if (node->name == nullptr) return "";
  const std::string_view name = reinterpret_cast<const char*>(node->name);
  if (node->ns != nullptr) return name;
  const auto colon = name.find(':');
  if (colon == std::string_view::npos || ConventionalNamespace(name.substr(0, colon)).empty()) {
    return name;
  }
  return name.substr(colon + 1);
}

std::string_view Namespace(const xmlNode* node) {
  if (node->ns != nullptr) {
    return node->ns->href != nullptr ? reinterpret_cast<const char*>(node->ns->href) : "";
  }
  if (node->name == nullptr) return "";
  const std::string_view name = reinterpret_cast<const char*>(node->name);
  const auto colon = name.find(':');
  if (colon == std::string_view::npos) return "";
  return ConventionalNamespace(name.substr(0, colon));
}

std::string_view ConventionalNamespace(std::string_view prefix) {
  static constexpr std::pair<std::string_view, std::string_view> kPrefixes[] = {
      {"atom", "http://www.w3.org/2005/Atom"},
      {"content", "http://purl.org/rss/1.0/modules/content/"},
      {"dc", "http://purl.org/dc/elements/1.1/"},
      {"itunes", "http://www.itunes.com/dtds/podcast-1.0.dtd"},
      {"media", "http://search.yahoo.com/mrss/"},
      {"rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"},
  };
  for (const auto& [known, uri] : kPrefixes) {
    if (prefix == known) return uri;
  }
  return {};
}

bool Is(const xmlNode* node, std::string_view local_name, std::string_view ns) {
  return node->type == XML_ELEMENT_NODE && Name(node) == local_name &&
         (ns.empty() || Namespace(node) == ns);
}

xmlNode* Child(const xmlNode* parent, std::string_view local_name, std::string_view ns) {
  for (xmlNode* child = parent->children; child != nullptr; child = child->next) {
    if (Is(child, local_name, ns)) return child;
  }
  return nullptr;
}

std::string Text(const xmlNode* node, std::size_t max_bytes) {
  std::string out;
  AppendText(node, out, max_bytes, 0);
  Expand(node, out, /*escape=*/false);
  return out;
}

std::string ChildText(const xmlNode* parent, std::string_view local_name, std::string_view ns) {
  const xmlNode* child = Child(parent, local_name, ns);
  return child != nullptr ? Text(child) : std::string();
}

std::string Attr(const xmlNode* node, const char* name) {
  for (const xmlAttr* attr = node->properties; attr != nullptr; attr = attr->next) {
    if (attr->name != nullptr &&
        std::strcmp(reinterpret_cast<const char*>(attr->name), name) == 0) {
      std::string value;
      for (const xmlNode* t = attr->children; t != nullptr; t = t->next) {
        if (t->type == XML_TEXT_NODE && t->content != nullptr) {
          value.append(reinterpret_cast<const char*>(t->content));
        }
      }
      Expand(node, value, /*escape=*/false);  // never lifted from values; kept for safety
      return value;
    }
  }
  return {};
}

std::string InnerXml(const xmlNode* node, std::size_t max_bytes) {
  std::unique_ptr<xmlBuffer, decltype(&xmlBufferFree)> buffer(xmlBufferCreate(), &xmlBufferFree);
  std::string out;
  for (xmlNode* child = node->children; child != nullptr && out.size() < max_bytes;
       child = child->next) {
    xmlBufferEmpty(buffer.get());
    xmlNodeDump(buffer.get(), node->doc, child, 0, 0);
    out.append(reinterpret_cast<const char*>(xmlBufferContent(buffer.get())),
               static_cast<std::size_t>(xmlBufferLength(buffer.get())));
  }
  Expand(node, out, /*escape=*/true);  // serialized markup: lifted text goes back escaped
  return out;
}

}  // namespace tributary::parser::xml
