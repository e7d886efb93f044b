#pragma once
// A libxml2 document parsed safely: recover mode (ill-formed feeds are the norm), no network,
// no external entities or DTD loading (XML_PARSE_NOENT / DTDLOAD / HUGE are never passed, so
// libxml2 keeps its depth limit of 256 and its entity-amplification checks), input already UTF-8.
// Plus the few node helpers the readers share.
#include <libxml/tree.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"
#include "services/parser/lifted_text.hpp"

namespace tributary::parser::xml {

class Document;

// What a streamed element's handler did with it.
enum class Streamed {
  kKeep,      // not for the handler: stays in the tree
  kConsumed,  // read: freed at once
  kStop,      // enough (the item limit): freed, and the rest of the document is not parsed
};

// Elements handed over as soon as they are complete and then freed: a feed's items, so that a
// document never exists as one whole tree (memory stays near the size of its text) and a
// reader that has enough stops the parse right there.
struct ElementStream {
  // Local names of the elements to hand over when they are a child or grandchild of the root
  // (rss/channel/item, rdf:RDF/item, feed/entry).
  std::vector<std::string_view> names;
  // Called with each one while it is still linked into the tree (so xml:base resolves), with
  // the document being parsed (Root() is not available yet: use the node's doc).
  std::function<Streamed(const Document& document, xmlNode* element)> on_element;
};

class Document {
 public:
  // Fails only when nothing usable came out (no root element); recoverable errors are returned
  // in `problem` (empty when the document was well-formed, or only cut by a kStop).
  static Result<Document> Parse(std::string_view utf8, const std::string& url,
                                std::string* problem, const ElementStream* stream = nullptr);

  [[nodiscard]] xmlNode* Root() const { return xmlDocGetRootElement(doc_.get()); }
  [[nodiscard]] xmlDoc* Raw() const { return doc_.get(); }
  // The base URL in effect at `node` (xml:base attributes and the document URL).
  [[nodiscard]] std::string Base(const xmlNode* node) const;

 private:
  struct Free {
    void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
  };
  std::unique_ptr<xmlDoc, Free> doc_;
  // The text lifted out before parsing (see lifted_text.hpp), on the heap so that the pointer
  // in doc_->_private survives a move of the Document; null when none was.
  std::unique_ptr<LiftedText> lifted_;
  std::string url_;
  bool has_xml_base_ = false;
  bool stopped_ = false;
};

std::string_view Name(const xmlNode* node);       // local name
std::string_view Namespace(const xmlNode* node);  // namespace URI, empty when none
// The URI a prefix conventionally stands for in feeds (used when a feed forgot to declare it),
// empty for a prefix we do not know.
std::string_view ConventionalNamespace(std::string_view prefix);
bool Is(const xmlNode* node, std::string_view local_name, std::string_view ns = {});
// The first element child with this local name (and namespace when given).
xmlNode* Child(const xmlNode* parent, std::string_view local_name, std::string_view ns = {});
// Text of all text and CDATA descendants (entity references are not expanded), at most
// `max_bytes`.
std::string Text(const xmlNode* node, std::size_t max_bytes = 1 << 20);
std::string ChildText(const xmlNode* parent, std::string_view local_name, std::string_view ns = {});
std::string Attr(const xmlNode* node, const char* name);
// Serialized children (for Atom type="xhtml" content), at most `max_bytes`.
std::string InnerXml(const xmlNode* node, std::size_t max_bytes);

inline bool IsElement(const xmlNode* node) { return node->type == XML_ELEMENT_NODE; }

}  // namespace tributary::parser::xml
