#include "services/parser/html_sanitizer.hpp"

#include <algorithm>
#include <array>
#include <iterator>
#include <vector>

#include "services/parser/name_table.hpp"
#include "services/parser/scan.hpp"
#include "services/parser/text.hpp"
#include "services/parser/urls.hpp"

namespace tributary::parser {
namespace {

constexpr std::string_view kElements[] = {
    "a", "abbr", "acronym", "address", "annotation", "annotation-xml", "article", "aside",
    "audio", "b", "bdi", "bdo", "big", "blockquote", "br", "caption", "center", "cite", "code",
    "col", "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i", "img", "ins",
    "kbd", "li", "maction", "mark", "math", "menclose", "merror", "mfenced", "mfrac", "mi",
    "mmultiscripts", "mn", "mo", "mover", "mpadded", "mphantom", "mprescripts", "mroot", "mrow",
    "ms", "mspace", "msqrt", "mstyle", "msub", "msubsup", "msup", "mtable", "mtd", "mtext",
    "mtr", "munder", "munderover", "none", "ol", "p", "picture", "pre", "q", "rp", "rt", "ruby",
    "s", "samp", "section", "semantics", "small", "source", "span", "strike", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "track",
    "tt", "u", "ul", "var", "video", "wbr"};

// Elements whose content goes with them: code, styling, embedded documents, form controls.
constexpr std::string_view kDroppedWithContent[] = {
    "applet", "button", "embed", "frame", "frameset", "head", "iframe", "noembed", "noframes",
    "noscript", "object", "script", "select", "style", "template", "textarea", "title"};

constexpr std::string_view kVoidElements[] = {"br", "col", "hr", "img", "source", "track", "wbr"};

constexpr std::string_view kAttributes[] = {
    "accent", "align", "alt", "cite", "colspan", "columnalign", "controls", "datetime", "dir",
    "display", "encoding", "fence", "height", "href", "lang", "largeop", "linethickness",
    "lspace", "mathvariant", "poster", "rowspan", "rspace", "scope", "separator", "span",
    "src", "start", "stretchy", "summary", "symmetric", "title", "type", "width"};

constexpr std::string_view kUrlAttributes[] = {"cite", "href", "poster", "src"};

// What a (lower-cased) element name is to the sanitizer: one lookup per tag.
enum ElementFlag : unsigned char {
  kKept = 1,                 // in kElements
  kDroppedWithItsContent = 2,  // in kDroppedWithContent
  kVoid = 4,                 // in kVoidElements
  kMathMl = 8,               // kept, and MathML's rather than HTML's
};

constexpr bool IsMathMlName(std::string_view name) {
  return name == "none" || name == "semantics" || name.starts_with("annotation") ||
         (name.size() > 1 && name[0] == 'm' && name != "mark");
}

constexpr auto kElementFlags = [] {
  NameTable<unsigned char, 256> table;
  for (const auto name : kElements) table.Merge(name, kKept | (IsMathMlName(name) ? kMathMl : 0));
  for (const auto name : kDroppedWithContent) table.Merge(name, kDroppedWithItsContent);
  for (const auto name : kVoidElements) table.Merge(name, kVoid);
  return table;
}();

enum AttributeFlag : unsigned char { kKeptAttribute = 1, kUrlAttribute = 2 };

constexpr auto kAttributeFlags = [] {
  NameTable<unsigned char, 128> table;
  for (const auto name : kAttributes) table.Merge(name, kKeptAttribute);
  for (const auto name : kUrlAttributes) table.Merge(name, kUrlAttribute);
  return table;
}();

bool Has(unsigned char flags, unsigned char flag) { return (flags & flag) != 0; }

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == ':' || c == '_';
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

std::string Lowered(std::string_view name) {
  std::string out(name);
  for (auto& c : out) c = Lower(c);
  return out;
}

// Lower-cased local name. A prefix is dropped for MathML ("m:mi") and XHTML ("xhtml:p");
// another vocabulary's element keeps it ("o:p", an office suite's paragraph, is not <p>).
std::string ElementName(std::string_view name) {
  const auto colon = name.find(':');
  if (colon == std::string_view::npos) return Lowered(name);  // short: no allocation (SSO)
  const auto prefix = Lowered(name.substr(0, colon));
  auto local = Lowered(name.substr(colon + 1));
  if (prefix == "xhtml" || prefix == "html" || Has(kElementFlags.Find(local), kMathMl)) return local;
  return Lowered(name);
}

// Attribute names are compared whole: "xlink:href" is not "href".
std::string AttributeName(std::string_view name) { return Lowered(name); }

// The URL made absolute against the base, or empty when it is not one a page may link to:
// only http(s), mailto and ftp (browsers ignore tabs and line breaks inside a URL, so they are
// gone before the scheme is checked: "java\tscript:" is "javascript:").
std::string SafeUrl(std::string_view value, std::string_view base) {
  std::string url;
  url.reserve(value.size());
  for (const char c : value) {
    if (c != '\t' && c != '\n' && c != '\r') url.push_back(c);
  }
  url = ResolveUrl(url, base);
  std::string scheme;
  for (const char c : url) {
    if (c == ':') break;
    if (c == '/' || c == '?' || c == '#') return url;  // relative (no base to resolve against)
    scheme.push_back(Lower(c));
  }
  if (scheme.size() == url.size()) return url;  // no ':' at all: relative
  if (scheme == "http" || scheme == "https" || scheme == "mailto" || scheme == "ftp") return url;
  return {};
}


// The kept attributes of a tag's inside (after its name), written to `out`.
void AppendAttributes(std::string_view inside, std::string_view base, std::string& out) {
  std::size_t i = 0;
  while (i < inside.size()) {
    while (i < inside.size() && (IsSpace(inside[i]) || inside[i] == '/')) ++i;
    const auto name_begin = i;
    while (i < inside.size() && !IsSpace(inside[i]) && inside[i] != '=' && inside[i] != '/') ++i;
    const auto name = AttributeName(inside.substr(name_begin, i - name_begin));
    if (name.empty()) {
      ++i;
      continue;
    }
    while (i < inside.size() && IsSpace(inside[i])) ++i;
    std::string_view raw;
    if (i < inside.size() && inside[i] == '=') {
      ++i;
      while (i < inside.size() && IsSpace(inside[i])) ++i;
      if (i < inside.size() && (inside[i] == '"' || inside[i] == '\'')) {
        const char quote = inside[i];
        const auto end = inside.find(quote, i + 1);
        const auto stop = end == std::string_view::npos ? inside.size() : end;
        raw = inside.substr(i + 1, stop - i - 1);
        i = stop + 1;
      } else {
        const auto begin = i;
        while (i < inside.size() && !IsSpace(inside[i])) ++i;
        raw = inside.substr(begin, i - begin);
      }
    }
    const auto flags = kAttributeFlags.Find(name);
    if (!Has(flags, kKeptAttribute)) continue;
    auto value = raw.find('&') == std::string_view::npos ? std::string(raw) : DecodeEntities(raw);
    if (Has(flags, kUrlAttribute)) {
      value = SafeUrl(value, base);
      if (value.empty()) continue;
    }
    out += ' ';
    out += name;
    out += "=\"";
    AppendHtmlEscaped(value, /*quote=*/true, out);
    out += '"';
  }
}

void AppendText(std::string_view text, bool decode, std::string& out) {
  if (text.empty()) return;
  // Entities decoded, then the three characters HTML needs escaped: one spelling for all.
  if (decode && text.find('&') != std::string_view::npos) {
    AppendHtmlEscaped(DecodeEntities(text), /*quote=*/false, out);
  } else {
    AppendHtmlEscaped(text, /*quote=*/false, out);
  }
}

}  // namespace

std::string SanitizeHtml(std::string_view html, std::string_view base_url, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(html.size(), max_bytes) + 16);
  std::vector<std::string> open;  // elements written and not yet closed
  open.reserve(16);
  std::size_t i = 0;
  while (i < html.size() && out.size() < max_bytes) {
    const auto lt = html.find('<', i);
    const auto text_end = lt == std::string_view::npos ? html.size() : lt;
    AppendText(html.substr(i, text_end - i), /*decode=*/true, out);
    if (lt == std::string_view::npos) break;
    const auto rest = html.substr(lt);
    const bool special = rest.size() > 1 && (rest[1] == '!' || rest[1] == '?');
    if (special && rest.starts_with("<!--")) {
      const auto end = html.find("-->", lt + 4);
      i = end == std::string_view::npos ? html.size() : end + 3;
      continue;
    }
    if (special && rest.starts_with("<![CDATA[")) {
      const auto end = html.find("]]>", lt + 9);
      const auto stop = end == std::string_view::npos ? html.size() : end;
      AppendText(html.substr(lt + 9, stop - lt - 9), /*decode=*/false, out);
      i = stop == html.size() ? stop : stop + 3;
      continue;
    }
    if (special) {  // <!DOCTYPE ...>, <?pi?>
      const auto end = html.find('>', lt + 2);
      i = end == std::string_view::npos ? html.size() : end + 1;
      continue;
    }
    const bool closing = rest.size() > 1 && rest[1] == '/';
    const auto name_begin = lt + (closing ? 2 : 1);
    auto name_end = name_begin;
    while (name_end < html.size() && IsNameChar(html[name_end])) ++name_end;
    if (name_end == name_begin) {  // "a < b": a character, not a tag
      out += "&lt;";
      i = lt + 1;
      continue;
    }
    const auto gt = scan::TagEnd(html, name_end);
    const auto inside = html.substr(name_end, std::min(gt, html.size()) - name_end);
    i = gt < html.size() ? gt + 1 : html.size();
    const auto name = ElementName(html.substr(name_begin, name_end - name_begin));
    const bool self_closing = !inside.empty() && inside.back() == '/';
    const auto flags = kElementFlags.Find(name);
    if (!closing && !self_closing && Has(flags, kDroppedWithItsContent)) {
      // Its content is not markup to read ("if (a<b)" in a script): everything up to its
      // end tag goes, found by name, case aside.
      const auto end_tag = "</" + name;
      auto k = i;
      while (k < html.size()) {
        k = html.find("</", k);
        if (k == std::string_view::npos) break;
        if (Lowered(html.substr(k, end_tag.size())) == end_tag) break;
        k += 2;
      }
      const auto gt_end = k == std::string_view::npos ? k : html.find('>', k);
      i = gt_end == std::string_view::npos ? html.size() : gt_end + 1;
      continue;
    }
    if (!Has(flags, kKept)) continue;  // the tag goes, its content stays
    if (closing) {
      const auto it = std::find(open.rbegin(), open.rend(), name);
      if (it == open.rend()) continue;  // closes nothing that is open
      // Closes it and whatever was left open inside it.
      for (auto k = open.rbegin(); k != it + 1; ++k) {
        out += "</";
        out += *k;
        out += '>';
      }
      open.erase(std::next(it).base(), open.end());
      continue;
    }
    out += '<';
    out += name;
    AppendAttributes(inside, base_url, out);
    out += '>';
    if (Has(flags, kVoid)) continue;
    if (self_closing) {  // <mspace/>: written as a pair, which HTML parsers read alike
      out += "</";
      out += name;
      out += '>';
      continue;
    }
    open.push_back(name);
  }
  for (auto k = open.rbegin(); k != open.rend(); ++k) {
    out += "</";
    out += *k;
    out += '>';
  }
  return out;
}

}  // namespace tributary::parser
