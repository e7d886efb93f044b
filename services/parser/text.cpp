#include "services/parser/text.hpp"

#include <array>
#include <cctype>
#include <cstring>
#include <initializer_list>

#include "common/base/utf8.hpp"
#include "services/parser/html_entities.hpp"
#include "services/parser/scan.hpp"

namespace tributary::parser {
namespace {

constexpr std::array<unsigned short, 32> kC1 = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// [A-Za-z0-9:], without the locale lookups of std::isalnum (this runs for every tag).
bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':';
}

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

enum class Tag { kOther, kBlock, kSpace, kScript, kStyle };

// What a tag means for text extraction: its boundaries separate lines (block), words (space),
// or it hides its content (script, style). Called for every tag of every HTML field, so no
// hashing and no scan of a list: the length picks the few names to compare.
Tag Classify(std::string_view name) {
  char lower[10];
  if (name.empty() || name.size() > sizeof lower) return Tag::kOther;
  for (std::size_t i = 0; i < name.size(); ++i) lower[i] = LowerAscii(name[i]);
  const std::string_view n(lower, name.size());
  const auto any = [&](std::initializer_list<std::string_view> names) {
    for (const auto candidate : names) {
      if (n == candidate) return true;
    }
    return false;
  };
  switch (n.size()) {
    case 1:
      return n == "p" ? Tag::kBlock : Tag::kOther;
    case 2:
      return any({"br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th",
                  "hr", "dd", "dt", "dl"})
                 ? Tag::kBlock
                 : Tag::kOther;
    case 3:
      if (n == "img") return Tag::kSpace;
      return any({"div", "pre", "nav"}) ? Tag::kBlock : Tag::kOther;
    case 4:
      return n == "main" ? Tag::kBlock : Tag::kOther;
    case 5:
      if (n == "style") return Tag::kStyle;
      return any({"table", "aside"}) ? Tag::kBlock : Tag::kOther;
    case 6:
      if (n == "script") return Tag::kScript;
      return any({"header", "footer", "figure"}) ? Tag::kBlock : Tag::kOther;
    case 7:
      return any({"section", "article", "address"}) ? Tag::kBlock : Tag::kOther;
    case 10:
      return any({"blockquote", "figcaption"}) ? Tag::kBlock : Tag::kOther;
    default:
      return Tag::kOther;
  }
}

// Decodes the entity starting at text[i] == '&'; returns the number of bytes consumed (0 when
// it is not an entity).
std::size_t DecodeEntityAt(std::string_view text, std::size_t i, std::string& out) {
  const auto semi = text.find(';', i + 1);
  if (semi == std::string_view::npos || semi - i > 33 || semi == i + 1) return 0;
  const auto body = text.substr(i + 1, semi - i - 1);
  if (body[0] == '#') {
    unsigned long value = 0;
    std::size_t k = 1;
    const bool hex = body.size() > 1 && (body[1] == 'x' || body[1] == 'X');
    if (hex) k = 2;
    if (k >= body.size()) return 0;
    for (; k < body.size(); ++k) {
      const char c = body[k];
      unsigned digit = 0;
      if (c >= '0' && c <= '9') {
        digit = static_cast<unsigned>(c - '0');
      } else if (hex && std::isxdigit(static_cast<unsigned char>(c))) {
        digit = static_cast<unsigned>(LowerAscii(c) - 'a' + 10);
      } else {
        return 0;
      }
      value = value * (hex ? 16 : 10) + digit;
      if (value > 0x10FFFF) value = 0xFFFD;
    }
    // Windows-1252 numeric references (&#146;) are what the author meant, as browsers decide.
    if (value >= 0x80 && value < 0xA0) value = kC1[value - 0x80];
    AppendUtf8(out, value);
    return semi - i + 1;
  }
  const auto entity = HtmlEntity(body);
  if (!entity) return 0;
  out.append(*entity);
  return semi - i + 1;
}

// Bytes that end a run of ordinary text for the Collapser: whitespace and 0xC2 (the lead byte
// of U+00A0).
constexpr std::array<bool, 256> kSpecial = [] {
  std::array<bool, 256> table{};
  for (const unsigned char c : {' ', '\t', '\n', '\r', '\f'}) table[c] = true;
  table[0xC2] = true;
  return table;
}();

// The Collapser's special bytes plus the start of markup and of entities.
constexpr std::array<bool, 256> kHtmlSpecial = [] {
  auto table = kSpecial;
  table['<'] = true;
  table['&'] = true;
  return table;
}();

// Collapses whitespace while text is appended, so HTML-to-text is one pass and one string:
// runs of spaces/tabs become one space, runs containing a line break one newline, and nothing
// leads or trails.
class Collapser {
 public:
  explicit Collapser(std::size_t reserve) { out_.reserve(reserve); }

  void Text(std::string_view text) {
    const std::size_t size = text.size();
    for (std::size_t i = 0; i < size; ++i) {
      const char c = text[i];
      // U+00A0 (no-break space) counts as a space for collapsing.
      if (c == '\xC2' && i + 1 < size && text[i + 1] == '\xA0') {
        pending_space_ = true;
        ++i;
      } else if (c == '\n') {
        pending_newline_ = true;
      } else if (IsSpace(c)) {
        pending_space_ = true;
      } else {
        Flush();
        // Copy the whole run of words at once: single spaces between words stay as they are.
        std::size_t end = i + 1;
        end = scan::WordsEnd(text, end, /*markup=*/false);
        while (end < size && !kSpecial[static_cast<unsigned char>(text[end])]) {
          end = scan::WordsEnd(text, end + 1, /*markup=*/false);
        }
        out_.append(text.data() + i, end - i);
        i = end - 1;
      }
    }
  }
  // A run with no whitespace and no 0xC2 byte.
  void Ordinary(std::string_view run) {
    Flush();
    out_.append(run);
  }
  void Break(bool newline) { (newline ? pending_newline_ : pending_space_) = true; }
  std::string Take() { return std::move(out_); }

 private:
  void Flush() {
    if (!out_.empty()) {
      if (pending_newline_) {
        out_.push_back('\n');
      } else if (pending_space_) {
        out_.push_back(' ');
      }
    }
    pending_space_ = pending_newline_ = false;
  }

  std::string out_;
  bool pending_space_ = false;
  bool pending_newline_ = false;
};

}  // namespace

unsigned long Windows1252CodePoint(unsigned char byte) {
  if (byte < 0x80 || byte >= 0xA0) return byte;
  return kC1[byte - 0x80];
}

void AppendUtf8(std::string& out, unsigned long cp) {
  if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = 0xFFFD;
  if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') return;
  AppendCodePoint(static_cast<char32_t>(cp), out);
}

std::string FixC1Controls(std::string_view text) {
  if (text.find('\xC2') == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
    if (text[i] == '\xC2' && next >= 0x80 && next < 0xA0) {
      AppendUtf8(out, kC1[next - 0x80]);
      ++i;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// Appends `text` with '&', '<', '>' (and '"' when `quote`) as references; runs between them
// are appended whole.
void AppendHtmlEscaped(std::string_view text, bool quote, std::string& out) {
  std::size_t run = 0;
  for (auto i = scan::HtmlEscaped(text, 0, quote); i < text.size();
       i = scan::HtmlEscaped(text, i + 1, quote)) {
    const char c = text[i];
    out.append(text.data() + run, i - run);
    out += c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : "&quot;";
    run = i + 1;
  }
  out.append(text.data() + run, text.size() - run);
}

std::string EscapeHtml(std::string_view text) {
  if (text.find_first_of("&<>") == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size() + 16);
  AppendHtmlEscaped(text, /*quote=*/false, out);
  return out;
}

std::string DecodeEntities(std::string_view text) {
  if (text.find('&') == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '&') {
      if (const auto used = DecodeEntityAt(text, i, out); used > 0) {
        i += used - 1;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

std::string CollapseWhitespace(std::string_view text) {
  Collapser collapser(text.size());
  collapser.Text(text);
  return collapser.Take();
}

bool LooksLikeHtml(std::string_view text) {
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] == '<' && (std::isalpha(static_cast<unsigned char>(text[i + 1])) ||
                           text[i + 1] == '/' || text[i + 1] == '!')) {
      return true;
    }
    if (text[i] == '&') return true;
  }
  return false;
}

std::string HtmlToText(std::string_view html) {
  Collapser raw(html.size());
  std::string entity;
  std::size_t i = 0;
  while (i < html.size()) {
    const char c = html[i];
    if (c == '&') {
      entity.clear();
      if (const auto used = DecodeEntityAt(html, i, entity); used > 0) {
        raw.Text(entity);
        i += used;
        continue;
      }
      raw.Ordinary("&");
      ++i;
      continue;
    }
    if (c != '<') {
      // Text up to the next markup: runs of words (single spaces included) go straight to the
      // output, so each byte is looked at once; other whitespace and U+00A0 take the
      // collapser's general path.
      std::size_t end = i + 1;
      if (c == '\xC2') {
        if (end < html.size() && html[end] == '\xA0') ++end;  // U+00A0, else a lone lead byte
        raw.Text(html.substr(i, end - i));
      } else if (kHtmlSpecial[static_cast<unsigned char>(c)]) {  // whitespace
        while (end < html.size() && kSpecial[static_cast<unsigned char>(html[end])] &&
               html[end] != '\xC2') {
          ++end;
        }
        raw.Text(html.substr(i, end - i));
      } else {
        end = scan::WordsEnd(html, end, /*markup=*/true);
        while (end < html.size() && !kHtmlSpecial[static_cast<unsigned char>(html[end])]) {
          end = scan::WordsEnd(html, end + 1, /*markup=*/true);
        }
        raw.Ordinary(html.substr(i, end - i));
      }
      i = end;
      continue;
    }
    if (html.substr(i, 4) == "<!--") {
      const auto end = html.find("-->", i + 4);
      i = end == std::string_view::npos ? html.size() : end + 3;
      continue;
    }
    std::size_t j = i + 1;
    const bool closing = j < html.size() && html[j] == '/';
    if (closing) ++j;
    const auto name_begin = j;
    while (j < html.size() && IsNameChar(html[j])) ++j;
    const auto name = html.substr(name_begin, j - name_begin);
    if (name.empty() && html.substr(i, 2) != "<!" && html.substr(i, 2) != "<?") {
      raw.Ordinary("<");  // a lone '<' in text, e.g. "a < b"
      ++i;
      continue;
    }
    j = scan::TagEnd(html, j);
    i = j < html.size() ? j + 1 : html.size();
    const Tag tag = Classify(name);
    if (!closing && (tag == Tag::kScript || tag == Tag::kStyle)) {
      // Find the matching close tag, case-insensitively; the content is never text.
      const std::string close = std::string("</") + std::string(name);
      std::size_t k = i;
      for (; k + close.size() <= html.size(); ++k) {
        if (html[k] == '<' && IEquals(html.substr(k, close.size()), close)) break;
      }
      const auto gt = html.find('>', k);
      i = gt == std::string_view::npos ? html.size() : gt + 1;
      continue;
    }
    if (tag == Tag::kBlock) {
      raw.Break(true);
    } else if (tag == Tag::kSpace) {
      raw.Break(false);
    }
  }
  return raw.Take();
}

}  // namespace tributary::parser
