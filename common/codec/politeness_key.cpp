#include "common/codec/politeness_key.hpp"

#include <libpsl.h>

#include "common/base/ascii.hpp"

namespace tributary::codec {
namespace {

// The Public Suffix List: the newer of libpsl's built-in copy and the system's
// (/usr/share/publicsuffix, Debian's publicsuffix package). Loaded once, read-only after.
const psl_ctx_t* SuffixList() {
  static const psl_ctx_t* const list = [] {
    const psl_ctx_t* latest = psl_latest(nullptr);
    return latest != nullptr ? latest : psl_builtin();
  }();
  return list;
}

std::string_view HostOf(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  auto rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  if (!rest.empty() && rest.front() == '[') {  // IPv6 literal: up to its bracket
    const auto close = rest.find(']');
    return close == std::string_view::npos ? std::string_view() : rest.substr(0, close + 1);
  }
  rest = rest.substr(0, rest.find(':'));
  while (!rest.empty() && rest.back() == '.') rest.remove_suffix(1);
  return rest;
}

bool IsIpAddress(std::string_view host) {
  if (!host.empty() && host.front() == '[') return true;
  for (const char c : host) {
    if ((c < '0' || c > '9') && c != '.') return false;
  }
  return !host.empty();
}

}  // namespace

std::optional<PolitenessScope> ParsePolitenessScope(std::string_view name) {
  if (name == "host") return PolitenessScope::kHost;
  if (name == "domain") return PolitenessScope::kDomain;
  return std::nullopt;
}

std::string PolitenessKey(std::string_view url, PolitenessScope scope) {
  auto host = AsciiLower(HostOf(url));
  if (scope == PolitenessScope::kHost || host.empty() || IsIpAddress(host)) return host;
  const char* registrable = psl_registrable_domain(SuffixList(), host.c_str());
  // Null for a public suffix itself ("co.uk") or a single label ("localhost"): the host is
  // its own unit.
  return registrable != nullptr ? std::string(registrable) : host;
}

std::string FetchRequestKey(const v1::FetchRequest& request, PolitenessScope scope) {
  auto key = PolitenessKey(request.url(), scope);
  return key.empty() ? std::to_string(request.source_id()) : key;
}

void AddPolitenessScope(config::Spec& spec, std::string* scope) {
  spec.Choice("politeness-scope", scope, {"host", "domain"},
              "What fetch.requests is keyed by, so that one fetcher replica owns each host (or "
              "each registrable domain: a.example.com and b.example.com together) at a time and "
              "its per-host limits hold for the whole fleet (the fetcher counts its limits per "
              "this key). Must be the same for the scheduler, the parser, the fetcher and "
              "`tributary enqueue`.");
}

}  // namespace tributary::codec
