#include "services/parser/charset.hpp"

#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

#include "common/base/ascii.hpp"
#include "services/parser/scan.hpp"
#include "services/parser/text.hpp"

namespace tributary::parser {
namespace {

std::string Trim(std::string_view text) {
  const auto b = text.find_first_not_of(" \t\r\n\"'");
  if (b == std::string_view::npos) return {};
  const auto e = text.find_last_not_of(" \t\r\n\"';");
  return std::string(text.substr(b, e - b + 1));
}

// Length of the valid UTF-8 sequence at `i`, or 0 when invalid (overlongs, surrogates and code
// points past U+10FFFF are invalid too).
std::size_t SequenceLength(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  const auto c1 = static_cast<unsigned char>(s[i + 1]);
  if (c1 < lo || c1 > hi) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    const auto ck = static_cast<unsigned char>(s[i + k]);
    if (ck < 0x80 || ck > 0xBF) return 0;
  }
  return n;
}

bool IsBadControl(unsigned char c) { return c < 0x20 && c != '\t' && c != '\n' && c != '\r'; }

// Length of the run of printable ASCII at s[i..] (no byte >= 0x80 and none < 0x20): the common
// case, checked 16 bytes at a time where the CPU allows.
std::size_t AsciiRun(std::string_view s, std::size_t i) {
  return scan::NotPrintableAscii(s, i) - i;
}

// The value of encoding="..." in an XML declaration at the start of an ASCII-compatible text.
std::string XmlDeclaredCharset(std::string_view body) {
  const auto head = body.substr(0, 512);
  if (head.rfind("<?xml", 0) != 0) return {};
  const auto end = head.find("?>");
  const auto decl = head.substr(0, end);
  const auto pos = decl.find("encoding");
  if (pos == std::string_view::npos) return {};
  auto rest = decl.substr(pos + 8);
  const auto q = rest.find_first_of("\"'");
  if (q == std::string_view::npos) return {};
  const char quote = rest[q];
  rest = rest.substr(q + 1);
  return AsciiLower(Trim(rest.substr(0, rest.find(quote))));
}

// <meta charset="x"> or <meta http-equiv content="text/html; charset=x"> in the first 4 KiB.
std::string HtmlMetaCharset(std::string_view body) {
  const auto head = AsciiLower(body.substr(0, 4096));
  auto pos = head.find("charset=");
  if (pos == std::string::npos) return {};
  pos += 8;
  while (pos < head.size() && (head[pos] == '"' || head[pos] == '\'' || head[pos] == ' ')) ++pos;
  auto end = pos;
  while (end < head.size() && (std::isalnum(static_cast<unsigned char>(head[end])) ||
                               head[end] == '-' || head[end] == '_' || head[end] == ':')) {
    ++end;
  }
  return head.substr(pos, end - pos);
}

std::string Normalize(std::string charset) {
  // Python's spellings (windows_1251, ebcdic_cp_be) are common in feeds; iconv wants '-'.
  for (auto& c : charset) c = c == '_' ? '-' : c;
  if (charset == "utf8") return "utf-8";
  // Names feeds use that glibc's iconv knows by another one.
  static constexpr std::pair<std::string_view, std::string_view> kAliases[] = {
      {"macroman", "macintosh"},          {"mac-roman", "macintosh"},
      {"maccentraleurope", "mac-centraleurope"}, {"maclatin2", "mac-centraleurope"},
      {"mac-latin2", "mac-centraleurope"}, {"maciceland", "mac-is"},
      {"mac-iceland", "mac-is"},          {"maccyrillic", "mac-cyrillic"},
      {"cp-is", "ibm861"},                {"csibm861", "ibm861"},
      {"ibm039", "ibm037"},               {"cp039", "ibm037"},
      {"x-mac-roman", "macintosh"},       {"x-mac-cyrillic", "mac-cyrillic"},
      {"ks-c-5601-1987", "euc-kr"},       {"ks-c-5601", "euc-kr"},
      {"x-euc-kr", "euc-kr"},             {"x-sjis", "shift-jis"},
      {"x-gbk", "gbk"},
      {"gb2312", "gbk"},  // GBK is a superset, as browsers read it
  };
  for (const auto& [alias, name] : kAliases) {
    if (charset == alias) return std::string(name);
  }
  // Browsers read these as windows-1252; documents that say latin-1 use its C1 punctuation.
  if (charset == "iso-8859-1" || charset == "latin1" || charset == "latin-1" ||
      charset == "us-ascii" || charset == "ascii" || charset == "iso8859-1") {
    return "windows-1252";
  }
  return charset;
}

// windows-1252 (what most mislabelled feeds really are) by table: iconv costs a module lookup
// per document and a call per buffer, ten times the work. False on the five undefined bytes,
// as iconv's EILSEQ, so the caller falls back to ISO-8859-1 just the same.
bool ConvertWindows1252(std::string_view body, std::string& out) {
  out.clear();
  out.reserve(body.size() + body.size() / 4);
  for (const char c : body) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80) {
      out.push_back(c);
      continue;
    }
    const auto code_point = Windows1252CodePoint(byte);
    if (code_point == 0xFFFD) return false;
    AppendUtf8(out, code_point);
  }
  return true;
}

// Converts with iconv; false when the charset is unknown or the bytes do not fit it.
bool Convert(std::string_view body, const std::string& charset, std::string& out) {
  if (charset == "windows-1252" || charset == "cp1252") return ConvertWindows1252(body, out);
  iconv_t cd = iconv_open("UTF-8", charset.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return false;
  out.clear();
  out.resize(body.size() * 2 + 16);
  auto* in_ptr = const_cast<char*>(body.data());
  std::size_t in_left = body.size();
  std::size_t produced = 0;
  bool ok = true;
  while (in_left > 0) {
    char* out_ptr = out.data() + produced;
    std::size_t out_left = out.size() - produced;
    const auto rc = iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left);
    produced = out.size() - out_left;
    if (rc != static_cast<std::size_t>(-1)) break;
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
      continue;
    }
    ok = false;  // EILSEQ / EINVAL: not this charset
    break;
  }
  iconv_close(cd);
  out.resize(produced);
  return ok;
}

// The charset of a document that starts "<?xm" in EBCDIC: its declaration read as IBM037
// (the declaration's characters are the same in every EBCDIC code page), else IBM037.
std::string EbcdicCharset(std::string_view bytes) {
  std::string head;
  if (!Convert(bytes.substr(0, 256), "ibm037", head)) return "ibm037";
  const auto declared = Normalize(XmlDeclaredCharset(head));
  return declared.empty() ? "ibm037" : declared;
}

}  // namespace

std::string CharsetFromContentType(std::string_view content_type) {
  const auto lower = AsciiLower(content_type);
  const auto pos = lower.find("charset=");
  if (pos == std::string::npos) return {};
  auto value = std::string_view(lower).substr(pos + 8);
  value = value.substr(0, value.find(';'));
  return Trim(value);
}

bool IsValidUtf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    i += AsciiRun(text, i);
    if (i >= text.size()) break;
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const auto n = SequenceLength(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

bool IsCleanUtf8(std::string_view text) {
  bool clean = true;
  for (std::size_t i = 0; i < text.size() && clean;) {
    i += AsciiRun(text, i);
    if (i >= text.size()) break;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (IsBadControl(c)) clean = false;
      ++i;
      continue;
    }
    const auto n = SequenceLength(text, i);
    if (n == 0) clean = false;
    i += n;
  }
  return clean;
}

std::string SanitizeUtf8(std::string_view text) {
  if (IsCleanUtf8(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + 16);
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (!IsBadControl(c)) out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    const auto n = SequenceLength(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string SanitizeUtf8Owned(std::string&& text) {
  if (IsCleanUtf8(text)) return std::move(text);
  return SanitizeUtf8(std::string_view(text));
}

void TruncateUtf8(std::string& text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return;
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
}

Decoded DecodeToUtf8(std::string_view body, std::string_view http_charset) {
  Decoded result;
  const auto text = DecodeToUtf8(body, http_charset, result);
  if (text.data() != result.text.data()) result.text.assign(text);
  return result;
}

std::string_view DecodeToUtf8(std::string_view body, std::string_view http_charset,
                              Decoded& result) {
  result = Decoded{};
  std::string forced;
  auto bytes = body;
  const auto starts = [&](std::string_view magic) {
    return bytes.substr(0, magic.size()) == magic;
  };
  if (starts("\xEF\xBB\xBF")) {
    bytes.remove_prefix(3);
    forced = "utf-8";
  } else if (starts(std::string_view("\xFF\xFE\0\0", 4))) {
    forced = "utf-32le";
  } else if (starts(std::string_view("\0\0\xFE\xFF", 4))) {
    forced = "utf-32be";
  } else if (starts("\xFF\xFE")) {
    forced = "utf-16";  // iconv reads and drops the BOM
  } else if (starts("\xFE\xFF")) {
    forced = "utf-16";
  } else if (starts(std::string_view("<\0?\0", 4))) {
    forced = "utf-16le";
  } else if (starts(std::string_view("\0<\0?", 4))) {
    forced = "utf-16be";
  } else if (starts("\x4C\x6F\xA7\x94")) {
    forced = EbcdicCharset(bytes);  // "<?xm" in EBCDIC (XML 1.0, appendix F)
  }
  std::vector<std::string> candidates;
  if ((forced.empty() || forced == "utf-8") && IsCleanUtf8(bytes)) {
    // The common case, decided in one pass: nothing to convert, replace or copy.
    result.charset = "utf-8";
    return bytes;
  }
  if (!forced.empty()) {
    candidates.push_back(forced);
  } else if (IsValidUtf8(bytes)) {
    candidates.push_back("utf-8");
  } else {
    for (auto c : {std::string(http_charset), XmlDeclaredCharset(bytes), HtmlMetaCharset(bytes)}) {
      c = Normalize(AsciiLower(c));
      if (!c.empty() && c != "utf-8" && c.find("16") == std::string::npos &&
          c.find("32") == std::string::npos) {
        candidates.push_back(c);
      }
    }
    candidates.push_back("windows-1252");
    candidates.push_back("iso-8859-1");  // windows-1252 leaves five bytes undefined
  }
  for (const auto& charset : candidates) {
    if (charset == "utf-8") {
      result.text = SanitizeUtf8(bytes);
      result.charset = charset;
      result.lossy = !forced.empty() && !IsValidUtf8(bytes);
      return result.text;
    }
    std::string converted;
    if (Convert(bytes, charset, converted)) {
      result.text = SanitizeUtf8Owned(std::move(converted));
      result.charset = charset;
      return result.text;
    }
  }
  // A BOM that lied: keep what is valid, replace the rest.
  result.text = SanitizeUtf8(bytes);
  result.charset = "utf-8";
  result.lossy = true;
  return result.text;
}

}  // namespace tributary::parser
