#include "services/parser/urls.hpp"

#include <libxml/uri.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>

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
  std::unique_ptr<xmlChar, decltype(xmlFree)> built(
      xmlBuildURI(reinterpret_cast<const xmlChar*>(ref.c_str()),
                  reinterpret_cast<const xmlChar*>(base_text.c_str())),
      xmlFree);
  if (!built) return ref;
  return reinterpret_cast<const char*>(built.get());
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
