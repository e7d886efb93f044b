#include "services/parser/html_parser.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "common/base/ascii.hpp"
#include "services/parser/name_table.hpp"
#include "services/parser/text.hpp"

namespace tributary::parser::html {
namespace {

// What the tree builder needs to know about a tag name, in one lookup: the low 8 bits number
// the tags whose open elements are counted (0: not counted), the rest are flags.
enum TagFlag : std::uint32_t {
  kVoid = 1u << 8,            // no content, no end tag
  kRawText = 1u << 9,         // content is text up to its end tag (script, style, ...)
  kEscapableRaw = 1u << 10,   // raw text with entities decoded (title, textarea)
  kClosesParagraph = 1u << 11,  // its start tag ends an open <p>
  kSpecial = 1u << 12,        // HTML5's "special" elements: stray end tags stop at them
  kScope = 1u << 13,          // bounds the default scope (applet, caption, table, td, ...)
  kHeading = 1u << 14,        // h1..h6
  kHeadContent = 1u << 15,    // belongs in <head> when it comes before the body
};

// Tags numbered so that their open elements are counted (a search for one that is not open
// costs nothing): the ones the rules below look for.
constexpr std::string_view kCounted[] = {
    "html", "body", "p", "li", "dd", "dt", "a", "button", "td", "th", "tr", "thead", "tbody",
    "tfoot", "table", "option", "optgroup", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "div",
    "span", "section", "article", "form", "pre", "blockquote", "figure", "header", "footer",
    "nav", "aside", "main", "center", "b", "i", "em", "strong", "font", "small", "u", "s",
    "code", "dl", "caption", "select", "label", "sup", "sub", "object", "applet", "marquee",
    "template", "details", "summary", "fieldset", "figcaption", "address", "menu", "dir",
    "hgroup", "dialog", "colgroup", "iframe", "noscript", "ins", "del", "abbr", "cite", "q",
    "time", "mark", "big", "tt", "strike", "nobr", "svg", "math", "picture", "video", "audio"};

constexpr std::string_view kRawTags[] = {"script", "style", "xmp", "iframe", "noembed",
                                         "noframes", "noscript", "plaintext"};
constexpr std::string_view kEscapableRawTags[] = {"title", "textarea"};
constexpr std::string_view kParagraphClosers[] = {
    "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div",
    "dl", "fieldset", "figcaption", "figure", "footer", "form", "header", "hgroup", "main",
    "menu", "nav", "ol", "p", "section", "summary", "ul", "h1", "h2", "h3", "h4", "h5", "h6",
    "pre", "listing", "table", "hr", "xmp", "plaintext", "li", "dd", "dt"};
constexpr std::string_view kSpecialTags[] = {
    "address", "applet", "area", "article", "aside", "base", "basefont", "bgsound",
    "blockquote", "body", "br", "button", "caption", "center", "col", "colgroup", "dd",
    "details", "dir", "div", "dl", "dt", "embed", "fieldset", "figcaption", "figure", "footer",
    "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hgroup",
    "hr", "html", "iframe", "img", "input", "keygen", "li", "link", "listing", "main",
    "marquee", "menu", "meta", "nav", "noembed", "noframes", "noscript", "object", "ol", "p",
    "param", "plaintext", "pre", "script", "section", "select", "source", "style", "summary",
    "table", "tbody", "td", "template", "textarea", "tfoot", "th", "thead", "title", "tr",
    "track", "ul", "wbr", "xmp"};
constexpr std::string_view kScopeTags[] = {"applet", "caption", "html", "table", "td",
                                           "th", "marquee", "object", "template"};
constexpr std::string_view kHeadTags[] = {"title", "base", "basefont", "bgsound", "link",
                                          "meta", "script", "style", "noscript"};

constexpr auto kTags = [] {
  NameTable<std::uint32_t, 512> table;
  std::uint32_t number = 1;
  for (const auto name : kCounted) table.Merge(name, number++);
  for (const auto name : kVoidElements) table.Merge(name, kVoid);
  for (const auto name : kRawTags) table.Merge(name, kRawText);
  for (const auto name : kEscapableRawTags) table.Merge(name, kRawText | kEscapableRaw);
  for (const auto name : kParagraphClosers) table.Merge(name, kClosesParagraph);
  for (const auto name : kSpecialTags) table.Merge(name, kSpecial);
  for (const auto name : kScopeTags) table.Merge(name, kScope);
  for (const auto name : {"h1", "h2", "h3", "h4", "h5", "h6"}) table.Merge(name, kHeading);
  for (const auto name : kHeadTags) table.Merge(name, kHeadContent);
  return table;
}();
static_assert(std::size(kCounted) < 256);

constexpr std::uint32_t Number(std::string_view name) { return kTags.Find(name) & 0xFF; }
constexpr std::uint32_t kP = Number("p");
constexpr std::uint32_t kLi = Number("li");
constexpr std::uint32_t kDd = Number("dd");
constexpr std::uint32_t kDt = Number("dt");
constexpr std::uint32_t kA = Number("a");
constexpr std::uint32_t kButton = Number("button");
constexpr std::uint32_t kTd = Number("td");
constexpr std::uint32_t kTh = Number("th");
constexpr std::uint32_t kTr = Number("tr");
constexpr std::uint32_t kThead = Number("thead");
constexpr std::uint32_t kTbody = Number("tbody");
constexpr std::uint32_t kTfoot = Number("tfoot");
constexpr std::uint32_t kTable = Number("table");
constexpr std::uint32_t kHtml = Number("html");
constexpr std::uint32_t kTemplate = Number("template");
constexpr std::uint32_t kOl = Number("ol");
constexpr std::uint32_t kUl = Number("ul");
constexpr std::uint32_t kOption = Number("option");
constexpr std::uint32_t kOptgroup = Number("optgroup");
constexpr std::uint32_t kDiv = Number("div");
constexpr std::uint32_t kAddress = Number("address");
constexpr std::uint32_t kSvg = Number("svg");
constexpr std::uint32_t kMath = Number("math");
constexpr std::uint32_t kHeadings[] = {Number("h1"), Number("h2"), Number("h3"),
                                       Number("h4"), Number("h5"), Number("h6")};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool AllSpace(std::string_view text) {
  for (const char c : text) {
    if (!IsSpace(c)) return false;
  }
  return true;
}

// Hostile pages nest without end. Elements deeper than this are attached to the deepest
// element above the limit (as browsers do) so that nothing that walks the tree later goes
// quadratic; every searching rule below looks at most this many open elements, and a tag
// keeps at most kMaxAttributes (the duplicate check is linear per attribute).
constexpr std::size_t kMaxDepth = 512;
constexpr std::size_t kMaxAttributes = 256;

enum class Scope { kDefaultScope, kButtonScope, kListItemScope, kTableScope };

class TreeBuilder {
 public:
  explicit TreeBuilder(std::string_view page) : page_(page) {}

  Document Build() {
    open_.push_back({document_.root(), kTags.Find("html")});
    ++counts_[kHtml];
    std::size_t i = 0;
    while (i < page_.size()) {
      const auto lt = page_.find('<', i);
      if (lt == std::string_view::npos) {
        Text(page_.substr(i));
        break;
      }
      if (lt > i) Text(page_.substr(i, lt - i));
      i = Markup(lt);
    }
    FlushText();
    return std::move(document_);
  }

 private:
  struct Open {
    Node* node;
    std::uint32_t tag;  // kTags.Find(name)
  };

  // The markup starting at page_[at] == '<'; returns where the text after it starts.
  std::size_t Markup(std::size_t at) {
    const auto rest = page_.substr(at);
    if (rest.size() >= 2 && IsAsciiLetter(rest[1])) return StartTag(at);
    if (rest.size() >= 3 && rest[1] == '/' && IsAsciiLetter(rest[2])) return EndTag(at);
    if (rest.starts_with("<!--")) {
      if (rest.starts_with("<!-->")) return at + 5;
      if (rest.starts_with("<!--->")) return at + 6;
      const auto end = page_.find("-->", at + 4);
      return end == std::string_view::npos ? page_.size() : end + 3;
    }
    if (rest.size() >= 2 && (rest[1] == '!' || rest[1] == '?' || rest[1] == '/')) {
      // A doctype, a processing instruction or "</" before a non-letter: dropped up to '>'.
      const auto end = page_.find('>', at + 2);
      return end == std::string_view::npos ? page_.size() : end + 1;
    }
    Text(rest.substr(0, 1));  // a '<' that starts no markup is text
    return at + 1;
  }

  // A name as the tree holds it: lower case, a view of the page when it already was.
  std::string_view Name(std::string_view raw) {
    for (const char c : raw) {
      if (c >= 'A' && c <= 'Z') return document_.Store(AsciiLower(raw));
    }
    return raw;
  }

  std::size_t NameEnd(std::size_t i) const {
    while (i < page_.size() && !IsSpace(page_[i]) && page_[i] != '/' && page_[i] != '>') ++i;
    return i;
  }

  std::size_t StartTag(std::size_t at) {
    const auto name_end = NameEnd(at + 1);
    const auto name = Name(page_.substr(at + 1, name_end - at - 1));
    attributes_.clear();
    std::size_t i = name_end;
    bool self_closing = false;  // "/>": ends the element in SVG and MathML only
    while (true) {
      for (; i < page_.size() && (IsSpace(page_[i]) || page_[i] == '/'); ++i) {
        self_closing = page_[i] == '/';
      }
      if (i >= page_.size()) return page_.size();  // the page ends inside the tag: dropped
      if (page_[i] == '>') break;
      auto end = i + 1;  // a name may start with '='
      while (end < page_.size() && !IsSpace(page_[end]) && page_[end] != '/' &&
             page_[end] != '>' && page_[end] != '=') {
        ++end;
      }
      const auto attribute_name = page_.substr(i, end - i);
      i = end;
      while (i < page_.size() && IsSpace(page_[i])) ++i;
      std::string_view value;
      if (i < page_.size() && page_[i] == '=') {
        ++i;
        while (i < page_.size() && IsSpace(page_[i])) ++i;
        if (i < page_.size() && (page_[i] == '"' || page_[i] == '\'')) {
          const auto close = page_.find(page_[i], i + 1);
          if (close == std::string_view::npos) return page_.size();
          value = page_.substr(i + 1, close - i - 1);
          i = close + 1;
        } else {
          const auto start = i;
          while (i < page_.size() && !IsSpace(page_[i]) && page_[i] != '>') ++i;
          value = page_.substr(start, i - start);
        }
      }
      AddAttribute(attribute_name, value);
      self_closing = false;
    }
    const auto after = i + 1;  // past '>'
    auto tag = kTags.Find(name);
    if ((tag & kRawText) != 0) return RawText(name, tag, after);
    if (self_closing && (name == "svg" || name == "math" || counts_[kSvg] + counts_[kMath] > 0)) {
      tag |= kVoid;  // <path d="..."/>: in foreign content "/>" closes, as it does in XML
    }
    Start(name, tag);
    return after;
  }

  void AddAttribute(std::string_view raw_name, std::string_view raw_value) {
    if (attributes_.size() >= kMaxAttributes) return;
    const auto name = Name(raw_name);
    for (const auto& attribute : attributes_) {
      if (attribute.name == name) return;  // the first of a repeated attribute counts
    }
    const auto value = raw_value.find('&') == std::string_view::npos
                           ? raw_value
                           : document_.Store(DecodeEntities(raw_value));
    attributes_.push_back({name, value});
  }

  // <script>, <style>, <title>, ...: their text runs to their end tag.
  std::size_t RawText(std::string_view name, std::uint32_t tag, std::size_t start) {
    std::size_t end = page_.size();
    std::size_t after = page_.size();
    if (name != "plaintext") {
      for (auto i = page_.find("</", start); i != std::string_view::npos;
           i = page_.find("</", i + 2)) {
        const auto candidate = page_.substr(i + 2, name.size());
        const auto next = i + 2 + name.size();
        if (AsciiEqualsLower(candidate, name) &&
            (next == page_.size() || IsSpace(page_[next]) || page_[next] == '/' ||
             page_[next] == '>')) {
          end = i;
          const auto close = page_.find('>', next);
          after = close == std::string_view::npos ? page_.size() : close + 1;
          break;
        }
      }
    }
    Node* element = Start(name, tag | kVoid);
    auto text = page_.substr(start, end - start);
    if ((tag & kEscapableRaw) != 0 && text.find('&') != std::string_view::npos) {
      text = document_.Store(DecodeEntities(text));
    }
    if (!text.empty()) AppendChild(element, document_.NewText(text));
    return after;
  }

  // Inserts an element for a start tag where HTML5 would, and opens it unless it is void.
  Node* Start(std::string_view name, std::uint32_t tag) {
    FlushText();
    const auto number = tag & 0xFF;
    if (body_ == nullptr) {
      if (number == kHtml) {
        MergeAttributes(document_.root());
        return document_.root();
      }
      if (name == "head") {
        if (head_ == nullptr) head_ = NewChild(document_.root(), name);
        attributes_.clear();
        return head_;
      }
      if ((tag & kHeadContent) != 0) {
        if (head_ == nullptr) {
          head_ = document_.NewElement("head");
          AppendChild(document_.root(), head_);
        }
        return NewChild(head_, name);  // void or raw text: never left open
      }
      if (name == "body") {
        OpenBody(/*from_its_tag=*/true);
        return body_;
      }
      OpenBody();
    } else if (number == kHtml) {
      MergeAttributes(document_.root());
      return document_.root();
    } else if (name == "body") {
      MergeAttributes(body_);
      return body_;
    } else if (name == "head") {
      return Current();  // ignored
    }
    CloseImplied(number, tag);
    Node* element = NewChild(Parent(), name);
    if ((tag & kVoid) == 0) Push(element, tag);
    return element;
  }

  // What a start tag ends before it opens.
  void CloseImplied(std::uint32_t number, std::uint32_t tag) {
    if (number == kLi) {
      CloseListItem({kLi});
    } else if (number == kDd || number == kDt) {
      CloseListItem({kDd, kDt});
    }
    if ((tag & kClosesParagraph) != 0 && InScope(kP, Scope::kButtonScope)) PopThrough({kP});
    if ((tag & kHeading) != 0 && (open_.back().tag & kHeading) != 0) Pop();
    if (number == kA && InScope(kA, Scope::kDefaultScope)) PopThrough({kA});
    if (number == kButton && InScope(kButton, Scope::kDefaultScope)) PopThrough({kButton});
    if (number == kTd || number == kTh || number == kTr || number == kThead ||
        number == kTbody || number == kTfoot) {
      if (InScope(kTd, Scope::kTableScope) || InScope(kTh, Scope::kTableScope)) {
        PopThrough({kTd, kTh});
      }
    }
    if (number == kTr || number == kThead || number == kTbody || number == kTfoot) {
      if (InScope(kTr, Scope::kTableScope)) PopThrough({kTr});
    }
    if (number == kThead || number == kTbody || number == kTfoot) {
      for (const auto section : {kThead, kTbody, kTfoot}) {
        if (InScope(section, Scope::kTableScope)) PopThrough({section});
      }
    }
    if ((number == kOption || number == kOptgroup) && (open_.back().tag & 0xFF) == kOption) {
      Pop();
    }
  }

  // A new <li> (or <dd>/<dt>) ends the open one, unless a block other than a div, <address>
  // or <p> stands between them (a nested list).
  void CloseListItem(std::initializer_list<std::uint32_t> items) {
    bool open = false;
    for (const auto item : items) open = open || counts_[item] > 0;
    if (!open) return;
    for (auto k = open_.size(); k-- > SearchFloor();) {
      const auto number = open_[k].tag & 0xFF;
      for (const auto item : items) {
        if (number == item) {
          PopThrough({number});
          return;
        }
      }
      if ((open_[k].tag & kSpecial) != 0 && number != kAddress && number != kDiv &&
          number != kP) {
        return;
      }
    }
  }

  std::size_t EndTag(std::size_t at) {
    const auto name_end = NameEnd(at + 2);
    const auto name = Name(page_.substr(at + 2, name_end - at - 2));
    auto close = page_.find('>', name_end);
    const auto after = close == std::string_view::npos ? page_.size() : close + 1;
    FlushText();
    if (body_ == nullptr) return after;  // </head> and strays before the body
    const auto tag = kTags.Find(name);
    const auto number = tag & 0xFF;
    if (name == "br") {
      NewChild(Parent(), "br");  // browsers read </br> as <br>
    } else if (number == kHtml || name == "body") {
      // The rest of the page stays in the body, as browsers put it there.
    } else if (number == kP || number == kButton) {
      if (InScope(number, Scope::kButtonScope)) PopThrough({number});
    } else if (number == kLi) {
      if (InScope(kLi, Scope::kListItemScope)) PopThrough({kLi});
    } else if ((tag & kHeading) != 0) {
      std::uint32_t headings = 0;
      for (const auto heading : kHeadings) headings += counts_[heading];
      for (auto k = open_.size(); headings > 0 && k-- > SearchFloor();) {
        if ((open_[k].tag & kHeading) != 0) {
          while (open_.size() > k) Pop();
          break;
        }
        if ((open_[k].tag & kScope) != 0) break;
      }
    } else if (number == kTd || number == kTh || number == kTr || number == kTable ||
               number == kThead || number == kTbody || number == kTfoot) {
      if (InScope(number, Scope::kTableScope)) PopThrough({number});
    } else if ((tag & kSpecial) != 0) {
      if (number != 0 && InScope(number, Scope::kDefaultScope)) PopThrough({number});
    } else {
      // Any other end tag closes the nearest element of its name, unless a special element
      // (a block, a cell) stands between them.
      if (number != 0 && counts_[number] == 0) return after;
      for (auto k = open_.size(); k-- > SearchFloor();) {
        if (open_[k].node->name == name) {
          while (open_.size() > k) Pop();
          break;
        }
        if ((open_[k].tag & kSpecial) != 0) break;
      }
    }
    return after;
  }

  // Whether an element numbered `number` is open with no boundary of `scope` above it.
  bool InScope(std::uint32_t number, Scope scope) const {
    if (counts_[number] == 0) return false;
    for (auto k = open_.size(); k-- > SearchFloor() - 1;) {
      const auto tag = open_[k].tag;
      const auto n = tag & 0xFF;
      if (n == number) return true;
      if (scope == Scope::kTableScope) {
        if (n == kHtml || n == kTable || n == kTemplate) return false;
        continue;
      }
      if ((tag & kScope) != 0) return false;
      if (scope == Scope::kButtonScope && n == kButton) return false;
      if (scope == Scope::kListItemScope && (n == kOl || n == kUl)) return false;
    }
    return false;
  }

  // Pops open elements up to and including the nearest one numbered as any of `numbers`.
  void PopThrough(std::initializer_list<std::uint32_t> numbers) {
    while (open_.size() > 2) {  // never <html> and <body>
      const auto number = open_.back().tag & 0xFF;
      Pop();
      for (const auto wanted : numbers) {
        if (number == wanted) return;
      }
    }
  }

  void Push(Node* element, std::uint32_t tag) {
    open_.push_back({element, tag});
    ++counts_[tag & 0xFF];
  }
  void Pop() {
    if (open_.size() <= 2 && body_ != nullptr) return;  // <html> and <body> stay open
    --counts_[open_.back().tag & 0xFF];
    open_.pop_back();
  }
  Node* Current() const { return open_.back().node; }
  // Where new content goes: the current element, or past kMaxDepth the deepest one above it.
  Node* Parent() const { return open_.size() <= kMaxDepth ? Current() : open_[kMaxDepth - 1].node; }
  // The lowest index of open_ a search from the top looks at (never <html>).
  std::size_t SearchFloor() const {
    return open_.size() > kMaxDepth ? open_.size() - kMaxDepth : 1;
  }

  // An element for the start tag being read, with its attributes.
  Node* NewChild(Node* parent, std::string_view name) {
    Node* element = document_.NewElement(name, document_.Store(attributes_));
    attributes_.clear();
    AppendChild(parent, element);
    return element;
  }

  // The body, from its own start tag (with its attributes) or implied by content.
  void OpenBody(bool from_its_tag = false) {
    body_ = document_.NewElement("body", from_its_tag ? document_.Store(attributes_)
                                                      : std::span<const Attribute>());
    if (from_its_tag) attributes_.clear();
    AppendChild(document_.root(), body_);
    Push(body_, kTags.Find("body"));
  }

  // A repeated <html> or <body> adds the attributes the first did not have.
  void MergeAttributes(Node* element) {
    std::vector<Attribute> merged(element->attributes.begin(), element->attributes.end());
    for (const auto& attribute : attributes_) {
      if (!HasAttr(element, attribute.name)) merged.push_back(attribute);
    }
    element->attributes = document_.Store(merged);
    attributes_.clear();
  }

  // Text between two tags; adjacent runs (around a comment, say) become one text node.
  void Text(std::string_view raw) {
    if (raw.find('&') != std::string_view::npos) {
      if (!pending_view_.empty()) {
        pending_.assign(pending_view_);
        pending_view_ = {};
      }
      pending_.append(DecodeEntities(raw));
    } else if (pending_.empty() && pending_view_.empty()) {
      pending_view_ = raw;
    } else {
      if (!pending_view_.empty()) {
        pending_.assign(pending_view_);
        pending_view_ = {};
      }
      pending_.append(raw);
    }
  }

  void FlushText() {
    if (pending_.empty() && pending_view_.empty()) return;
    std::string_view text = pending_view_.empty() ? std::string_view(pending_) : pending_view_;
    if (body_ == nullptr) {
      if (AllSpace(text)) {
        pending_.clear();
        pending_view_ = {};
        return;
      }
      OpenBody();
    }
    if (!pending_view_.empty()) {
      AppendChild(Parent(), document_.NewText(pending_view_));
    } else {
      AppendChild(Parent(), document_.NewText(document_.Store(pending_)));
    }
    pending_.clear();
    pending_view_ = {};
  }

  std::string_view page_;
  Document document_;
  std::vector<Open> open_;
  std::array<std::uint32_t, 256> counts_{};
  Node* head_ = nullptr;
  Node* body_ = nullptr;
  std::vector<Attribute> attributes_;  // of the start tag being read
  std::string_view pending_view_;      // text not yet in the tree: a view of the page,
  std::string pending_;                // or a decoded/joined copy
};

}  // namespace

Document ParseHtml(std::string_view utf8) { return TreeBuilder(utf8).Build(); }

}  // namespace tributary::parser::html
