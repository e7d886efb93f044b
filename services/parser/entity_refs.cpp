#include "services/parser/entity_refs.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "services/parser/html_entities.hpp"
#include "services/parser/scan.hpp"

namespace tributary::parser {
namespace {

constexpr std::string_view kXmlPredefined[] = {"lt", "gt", "amp", "quot", "apos"};

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

// Names declared by `<!ENTITY name ...>` in the document's internal DTD subset.
std::vector<std::string_view> DeclaredEntities(std::string_view document) {
  std::vector<std::string_view> names;
  constexpr std::string_view kDeclaration = "<!ENTITY";
  for (auto at = document.find(kDeclaration); at != std::string_view::npos;
       at = document.find(kDeclaration, at + kDeclaration.size())) {
    auto k = at + kDeclaration.size();
    while (k < document.size() && (document[k] == ' ' || document[k] == '\t' ||
                                   document[k] == '\n' || document[k] == '\r')) {
      ++k;
    }
    const auto begin = k;
    while (k < document.size() && IsNameChar(document[k])) ++k;
    if (k > begin) names.push_back(document.substr(begin, k - begin));
  }
  return names;
}

// The numeric references for `text` ("&#225;", or several for a multi-character entity).
void AppendNumericRefs(std::string_view text, std::string& out) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    unsigned long code_point = length == 1   ? lead
                               : length == 2 ? lead & 0x1F
                               : length == 3 ? lead & 0x0F
                                             : lead & 0x07;
    for (std::size_t k = 1; k < length && i + k < text.size(); ++k) {
      code_point = (code_point << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    }
    out += "&#";
    out += std::to_string(code_point);
    out += ';';
    i += length;
  }
}

}  // namespace

std::optional<std::string> WithXmlEntityRefs(std::string_view document) {
  std::optional<std::string> out;
  std::size_t copied = 0;  // document[0, copied) is in *out
  std::vector<std::string_view> declared;
  bool looked_for_declarations = false;
  const auto replace = [&](std::size_t begin, std::size_t end, auto&& append) {
    if (!out) {
      out.emplace();
      out->reserve(document.size() + 64);
    }
    out->append(document.substr(copied, begin - copied));
    append(*out);
    copied = end;
  };
  // One pass over the markup and references: a CDATA section or comment is skipped whole, as
  // references inside those are not ones.
  std::size_t i = 0;
  while ((i = scan::MarkupOrReference(document, i)) < document.size()) {
    if (document[i] == '<') {
      const bool cdata = document.compare(i, 9, "<![CDATA[") == 0;
      if (!cdata && document.compare(i, 4, "<!--") != 0) {
        ++i;
        continue;
      }
      const auto close = document.find(cdata ? "]]>" : "-->", i + 4);
      if (close == std::string_view::npos) break;  // unterminated: no reference after it
      i = close + 3;
      continue;
    }
    const auto here = i++;
    const auto escape_ampersand = [&] {
      replace(here, here + 1, [](std::string& rewritten) { rewritten += "&amp;"; });
    };
    // Names are short: looking only 34 bytes ahead keeps a document full of bare '&' linear.
    const auto length = document.substr(here + 1, 34).find(';');
    if (length == std::string_view::npos || length == 0) {
      escape_ampersand();  // "?a=1&b=2", "R&D", "a & b": an ampersand, not a reference
      continue;
    }
    const auto semi = here + 1 + length;
    const auto body = document.substr(here + 1, length);
    if (body[0] == '#') {
      const bool hex = body.size() > 1 && (body[1] == 'x' || body[1] == 'X');
      const auto digits = body.substr(hex ? 2 : 1);
      const bool valid = !digits.empty() && std::all_of(digits.begin(), digits.end(), [&](char c) {
        return hex ? std::isxdigit(static_cast<unsigned char>(c)) != 0 : (c >= '0' && c <= '9');
      });
      if (!valid) {
        escape_ampersand();
      } else if (body[1] == 'X') {
        replace(here, here + 3, [](std::string& rewritten) { rewritten += "&#x"; });
      }
      continue;
    }
    if (!IsNameStart(body[0]) || !std::all_of(body.begin(), body.end(), IsNameChar)) {
      escape_ampersand();
      continue;
    }
    if (std::find(std::begin(kXmlPredefined), std::end(kXmlPredefined), body) !=
        std::end(kXmlPredefined)) {
      continue;
    }
    if (!looked_for_declarations) {
      declared = DeclaredEntities(document);
      looked_for_declarations = true;
    }
    if (std::find(declared.begin(), declared.end(), body) != declared.end()) continue;
    if (const auto text = HtmlEntity(body); text) {
      replace(here, semi + 1, [&](std::string& rewritten) { AppendNumericRefs(*text, rewritten); });
    } else {
      escape_ampersand();  // a name nobody defines is text the author wrote, kept as written
    }
  }
  if (out) out->append(document.substr(copied));
  return out;
}

}  // namespace tributary::parser
