#include "services/parser/urls.hpp"

#include <libxml/uri.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <optional>

namespace tributary::parser {
namespace {

std::string Trimmed(std::string_view text) {
  const auto b = text.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(b, e - b + 1));
}

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Case-insensitive equality with an already lower-case ASCII word.
bool EqualsLower(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (LowerAscii(text[i]) != lower[i]) return false;
  }
  return true;
}

void AppendLower(std::string& out, std::string_view text) {
  for (const char c : text) out.push_back(LowerAscii(c));
}

bool IsTrackingParameter(std::string_view name) {
  static constexpr std::array<std::string_view, 14> kExact = {
      "fbclid", "gclid",  "dclid",  "gbraid", "wbraid", "msclkid", "yclid",
      "mc_cid", "mc_eid", "igshid", "_ga",    "_gl",    "twclid",  "ttclid"};
  if (EqualsLower(name.substr(0, 4), "utm_")) return true;
  return std::any_of(kExact.begin(), kExact.end(),
                     [&](std::string_view exact) { return EqualsLower(name, exact); });
}

}  // namespace

bool IsHttpUrl(std::string_view url) {
  const auto colon = url.find("://");
  if (colon == std::string_view::npos) return false;
  const auto scheme = url.substr(0, colon);
  return EqualsLower(scheme, "http") || EqualsLower(scheme, "https");
}

std::string ResolveUrl(std::string_view reference, std::string_view base) {
  auto ref = Trimmed(reference);
  if (ref.empty()) return {};
  if (base.empty() || IsHttpUrl(ref)) return ref;
  const std::string base_text(base);
  const auto build = [&](const std::string& candidate) -> std::optional<std::string> {
    std::unique_ptr<xmlChar, decltype(xmlFree)> built(
        xmlBuildURI(reinterpret_cast<const xmlChar*>(candidate.c_str()),
                    reinterpret_cast<const xmlChar*>(base_text.c_str())),
        xmlFree);
    if (!built) return std::nullopt;
    return std::string(reinterpret_cast<const char*>(built.get()));
  };
  if (auto built = build(ref)) return *std::move(built);
  // libxml2 refuses a reference with non-ASCII characters (an IRI, "café.html"): resolved
  // with those bytes percent-encoded, then given back as written (the IRI form readers show).
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string escaped;
  bool non_ascii = false;
  for (const char c : ref) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80) {
      escaped.push_back(c);
      continue;
    }
    non_ascii = true;
    escaped += '%';
    escaped += kHex[byte >> 4];
    escaped += kHex[byte & 0xF];
  }
  auto built = non_ascii ? build(escaped) : std::nullopt;
  if (!built) return ref;
  if (ref.find('%') != std::string::npos) return *built;  // escapes of its own: left as they are
  const auto hex_value = [](char c) {
    return c >= '0' && c <= '9' ? c - '0' : (c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1);
  };
  std::string iri;
  for (std::size_t i = 0; i < built->size(); ++i) {
    const int high = i + 2 < built->size() ? hex_value((*built)[i + 1]) : -1;
    const int low = i + 2 < built->size() ? hex_value((*built)[i + 2]) : -1;
    if ((*built)[i] == '%' && high >= 8 && low >= 0) {  // one of the bytes escaped above
      iri.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else {
      iri.push_back((*built)[i]);
    }
  }
  return iri;
}

// Works on views of the input and builds the result once: this runs for every item.
std::string CanonicalUrl(std::string_view input) {
  const auto b = input.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const std::string_view url = input.substr(b, input.find_last_not_of(" \t\r\n") - b + 1);
  if (!IsHttpUrl(url)) return std::string(url);
  const auto scheme_end = url.find("://");
  std::string_view rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find('#'));
  const auto authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  const std::string_view path_query =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  std::string_view userinfo;
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    userinfo = authority.substr(0, at + 1);
    authority = authority.substr(at + 1);
  }
  if (!authority.empty() && authority.back() == '.') authority.remove_suffix(1);
  const bool https = EqualsLower(url.substr(0, scheme_end), "https");
  const std::string_view default_port = https ? ":443" : ":80";
  if (authority.size() > default_port.size() &&
      authority.substr(authority.size() - default_port.size()) == default_port) {
    authority.remove_suffix(default_port.size());
  }
  const auto q = path_query.find('?');
  const std::string_view path = path_query.substr(0, q);
  const std::string_view query =
      q == std::string_view::npos ? std::string_view() : path_query.substr(q + 1);

  std::string out;
  out.reserve(url.size());
  AppendLower(out, url.substr(0, scheme_end));
  out.append("://");
  out.append(userinfo);
  AppendLower(out, authority);
  out.append(path.empty() ? std::string_view("/") : path);
  bool first = true;
  for (std::size_t pos = 0; pos < query.size();) {
    auto amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    const auto param = query.substr(pos, amp - pos);
    if (!param.empty() && !IsTrackingParameter(param.substr(0, param.find('=')))) {
      out.push_back(first ? '?' : '&');
      out.append(param);
      first = false;
    }
    pos = amp + 1;
  }
  return out;
}

}  // namespace tributary::parser
