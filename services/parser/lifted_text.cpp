#include "services/parser/lifted_text.hpp"

#include <algorithm>

#include "services/parser/scan.hpp"
#include "services/parser/text.hpp"

namespace tributary::parser::xml {
namespace {

constexpr std::string_view kCdataOpen = "<![CDATA[";

// XML's Char production: what a character reference may name.
bool IsXmlChar(unsigned long c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

// The code point of the character reference at text[i] == '&' ("&#N;" / "&#xH;"), with its
// length; nullopt when it is not one or is malformed.
std::optional<std::pair<unsigned long, std::size_t>> CharRef(std::string_view text,
                                                             std::size_t i) {
  if (text.substr(i, 2) != "&#") return std::nullopt;
  std::size_t k = i + 2;
  const bool hex = k < text.size() && text[k] == 'x';
  if (hex) ++k;
  const std::size_t digits_begin = k;
  unsigned long value = 0;
  for (; k < text.size() && text[k] != ';'; ++k) {
    const char c = text[k];
    unsigned digit = 0;
    if (c >= '0' && c <= '9') {
      digit = static_cast<unsigned>(c - '0');
    } else if (hex && c >= 'a' && c <= 'f') {
      digit = static_cast<unsigned>(c - 'a' + 10);
    } else if (hex && c >= 'A' && c <= 'F') {
      digit = static_cast<unsigned>(c - 'A' + 10);
    } else {
      return std::nullopt;
    }
    value = value * (hex ? 16 : 10) + digit;
    if (value > 0x10FFFF) return std::nullopt;
  }
  if (k >= text.size() || k == digits_begin) return std::nullopt;
  return std::make_pair(value, k - i + 1);
}

// Facts about the whole document that rule lifting out (see the header).
bool MayLift(std::string_view document) {
  // U+E000, U+E001 (the markers), U+FFFE, U+FFFF (not XML characters).
  for (const std::string_view bad :
       {"\xEE\x80\x80", "\xEE\x80\x81", "\xEF\xBF\xBE", "\xEF\xBF\xBF"}) {
    if (document.find(bad) != std::string_view::npos) return false;
  }
  if (const auto doctype = document.find("<!DOCTYPE"); doctype != std::string_view::npos) {
    const auto end = document.find('>', doctype);
    const auto bracket = document.find('[', doctype);
    if (bracket != std::string_view::npos && (end == std::string_view::npos || bracket < end)) {
      return false;
    }
  }
  // A reference to a marker character would make libxml2 write one into text we do not lift.
  for (auto i = document.find("&#"); i != std::string_view::npos; i = document.find("&#", i + 2)) {
    const auto ref = CharRef(document, i);
    if (ref && (ref->first == 0xE000 || ref->first == 0xE001)) return false;
  }
  return true;
}

// Appends literal text with XML's line-end normalization ("\r\n" and a lone '\r' read as '\n').
void AppendLiteral(std::string_view text, std::string& out) {
  while (!text.empty()) {
    const auto cr = text.find('\r');  // rare: everything up to it goes in one append
    out.append(text.substr(0, cr));
    if (cr == std::string_view::npos) break;
    out.push_back('\n');
    text.remove_prefix(cr + (cr + 1 < text.size() && text[cr + 1] == '\n' ? 2 : 1));
  }
}

// Decodes a run of element text as libxml2 would; false when the run holds anything libxml2
// treats otherwise (another entity, a malformed '&', "]]>"), which is then left to it.
bool DecodeRun(std::string_view run, std::string& out) {
  if (run.find("]]>") != std::string_view::npos) return false;
  out.reserve(run.size());
  std::size_t i = 0;
  while (i < run.size()) {
    const auto amp = run.find('&', i);
    AppendLiteral(run.substr(i, amp == std::string_view::npos ? amp : amp - i), out);
    if (amp == std::string_view::npos) break;
    static constexpr std::pair<std::string_view, char> kPredefined[] = {
        {"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}, {"&apos;", '\''}};
    bool known = false;
    for (const auto& [name, c] : kPredefined) {
      if (run.substr(amp, name.size()) == name) {
        out.push_back(c);
        i = amp + name.size();
        known = true;
        break;
      }
    }
    if (known) continue;
    const auto ref = CharRef(run, amp);
    if (!ref || !IsXmlChar(ref->first)) return false;
    AppendUtf8(out, ref->first);
    i = amp + ref->second;
  }
  return true;
}

std::size_t LineBreaks(std::string_view raw) {
  auto breaks = static_cast<std::size_t>(std::count(raw.begin(), raw.end(), '\n'));
  for (auto cr = raw.find('\r'); cr != std::string_view::npos; cr = raw.find('\r', cr + 1)) {
    if (cr + 1 >= raw.size() || raw[cr + 1] != '\n') ++breaks;  // a lone '\r' ends a line too
  }
  return breaks;
}

void AppendEscaped(std::string_view text, std::string& out) {
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        out.push_back(c);
    }
  }
}

}  // namespace

void LiftedText::AddPiece(std::string_view raw, std::string& out) {
  out.append(kOpen);
  out.append(std::to_string(pieces_.size()));
  out.append(LineBreaks(raw), '\n');
  out.append(kClose);
  pieces_.emplace_back(static_cast<std::uint32_t>(contents_.size()), 0);
}

std::optional<std::pair<std::string, LiftedText>> LiftedText::Lift(std::string_view document) {
  if ((document.find(kCdataOpen) == std::string_view::npos &&
       document.find('&') == std::string_view::npos) ||
      !MayLift(document)) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(document.size());
  LiftedText lifted;
  lifted.contents_.reserve(document.size());  // pieces are never longer than their source
  std::size_t copied = 0;  // document[0, copied) is in `out`
  bool in_element = false;
  std::string decoded;
  std::size_t i = 0;
  while (i < document.size()) {
    // The next '<', noting on the way whether the run before it holds a reference: one scan
    // instead of a search for each.
    bool has_reference = false;
    std::size_t lt = scan::MarkupOrReference(document, i);
    while (lt < document.size() && document[lt] == '&') {
      has_reference = true;
      lt = scan::MarkupOrReference(document, lt + 1);
    }
    if (lt >= document.size()) lt = std::string_view::npos;
    const auto run_end = lt == std::string_view::npos ? document.size() : lt;
    if (in_element && run_end > i) {
      const auto run = document.substr(i, run_end - i);
      decoded.clear();
      if (has_reference && DecodeRun(run, decoded)) {
        out.append(document.substr(copied, i - copied));
        lifted.AddPiece(run, out);
        lifted.contents_.append(decoded);
        lifted.pieces_.back().second = static_cast<std::uint32_t>(decoded.size());
        copied = run_end;
      }
    }
    if (lt == std::string_view::npos) break;
    const auto rest = document.substr(lt);
    std::size_t end = std::string_view::npos;
    if (rest.substr(0, 4) == "<!--") {
      // Comments are copied as they are: "<![CDATA[" or '&' inside one mean nothing.
      end = document.find("-->", lt + 4);
      if (end != std::string_view::npos) end += 3;
    } else if (rest.substr(0, kCdataOpen.size()) == kCdataOpen) {
      const auto close = document.find("]]>", lt + kCdataOpen.size());
      if (close == std::string_view::npos) break;  // unterminated: libxml2 recovers as it does
      const auto contents = document.substr(lt + kCdataOpen.size(), close - lt - kCdataOpen.size());
      out.append(document.substr(copied, lt - copied));
      lifted.AddPiece(contents, out);
      const auto offset = lifted.contents_.size();
      AppendLiteral(contents, lifted.contents_);
      lifted.pieces_.back().second = static_cast<std::uint32_t>(lifted.contents_.size() - offset);
      end = close + 3;
      copied = end;
    } else if (rest.substr(0, 2) == "<?") {
      end = document.find("?>", lt + 2);
      if (end != std::string_view::npos) end += 2;
    } else if (rest.substr(0, 2) == "<!") {
      end = document.find('>', lt + 2);  // DOCTYPE without an internal subset (see MayLift)
      if (end != std::string_view::npos) end += 1;
    } else {
      // A '<' that starts no tag ("a < b", "<<"): libxml2's recovery from here on is its own
      // business, so the rest of the document is left to it as written.
      const auto name_start = rest.size() > 1 && rest[1] == '/' ? 2U : 1U;
      if (rest.size() <= name_start) break;
      if (const auto c = static_cast<unsigned char>(rest[name_start]);
          !((c | 0x20) >= 'a' && (c | 0x20) <= 'z') && c != '_' && c != ':' && c < 0x80) {
        break;
      }
      // A tag, to its '>' outside quoted attribute values (which may hold '>' and '&').
      if (const auto j = scan::TagEnd(document, lt + 1); j < document.size()) end = j + 1;
      if (rest.size() > 1 && rest[1] != '/') in_element = true;
    }
    if (end == std::string_view::npos) break;  // unterminated markup: the rest stays as it is
    i = end;
  }
  if (lifted.pieces_.empty()) return std::nullopt;
  out.append(document.substr(copied));
  return std::make_pair(std::move(out), std::move(lifted));
}

void LiftedText::AppendExpanded(std::string_view text, std::string& out, bool escape) const {
  while (!text.empty()) {
    const auto open = text.find(kOpen);
    if (open == std::string_view::npos) break;
    const auto close = text.find(kClose, open + kOpen.size());
    if (close == std::string_view::npos) break;
    out.append(text.substr(0, open));
    std::size_t index = 0;
    bool digits = false;
    for (auto k = open + kOpen.size(); k < close && text[k] >= '0' && text[k] <= '9'; ++k) {
      index = index * 10 + static_cast<std::size_t>(text[k] - '0');
      digits = true;
      if (index > pieces_.size()) break;
    }
    if (digits && index < pieces_.size()) {
      const auto [offset, size] = pieces_[index];
      const auto piece = std::string_view(contents_).substr(offset, size);
      if (escape) {
        AppendEscaped(piece, out);
      } else {
        out.append(piece);
      }
    }
    text.remove_prefix(close + kClose.size());
  }
  out.append(text);
}

}  // namespace tributary::parser::xml
