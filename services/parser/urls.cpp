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

void LowerInPlace(std::string& s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
}

bool IsTrackingParameter(std::string_view name) {
  static constexpr std::array<std::string_view, 14> kExact = {
      "fbclid", "gclid",  "dclid",  "gbraid", "wbraid", "msclkid", "yclid",
      "mc_cid", "mc_eid", "igshid", "_ga",    "_gl",    "twclid",  "ttclid"};
  if (name.substr(0, 4) == "utm_") return true;
  return std::find(kExact.begin(), kExact.end(), name) != kExact.end();
}

}  // namespace

bool IsHttpUrl(std::string_view url) {
  const auto colon = url.find("://");
  if (colon == std::string_view::npos) return false;
  std::string scheme(url.substr(0, colon));
  LowerInPlace(scheme);
  return scheme == "http" || scheme == "https";
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

std::string CanonicalUrl(std::string_view input) {
  std::string url = Trimmed(input);
  if (!IsHttpUrl(url)) return url;
  const auto scheme_end = url.find("://");
  std::string scheme = url.substr(0, scheme_end);
  LowerInPlace(scheme);
  std::string rest = url.substr(scheme_end + 3);
  if (const auto hash = rest.find('#'); hash != std::string::npos) rest.resize(hash);
  const auto authority_end = rest.find_first_of("/?");
  std::string authority = rest.substr(0, authority_end);
  std::string path_query = authority_end == std::string::npos ? "" : rest.substr(authority_end);
  std::string userinfo;
  if (const auto at = authority.rfind('@'); at != std::string::npos) {
    userinfo = authority.substr(0, at + 1);
    authority = authority.substr(at + 1);
  }
  LowerInPlace(authority);
  if (!authority.empty() && authority.back() == '.') authority.pop_back();
  const std::string default_port = scheme == "https" ? ":443" : ":80";
  if (authority.size() > default_port.size() &&
      authority.compare(authority.size() - default_port.size(), default_port.size(),
                        default_port) == 0) {
    authority.resize(authority.size() - default_port.size());
  }
  std::string path = path_query.substr(0, path_query.find('?'));
  std::string query;
  if (const auto q = path_query.find('?'); q != std::string::npos) query = path_query.substr(q + 1);
  if (path.empty()) path.push_back('/');
  std::string kept;
  std::size_t pos = 0;
  while (pos <= query.size() && !query.empty()) {
    auto amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    const auto param = query.substr(pos, amp - pos);
    std::string name = param.substr(0, param.find('='));
    LowerInPlace(name);
    if (!param.empty() && !IsTrackingParameter(name)) {
      if (!kept.empty()) kept.push_back('&');
      kept += param;
    }
    pos = amp + 1;
  }
  std::string out;
  out.reserve(url.size());
  out.append(scheme);
  out.append("://");
  out.append(userinfo);
  out.append(authority);
  out.append(path);
  if (!kept.empty()) {
    out.push_back('?');
    out.append(kept);
  }
  return out;
}

}  // namespace tributary::parser
