#pragma once
// The HTTP rules the fetcher applies between requests, as pure functions: which URLs may be
// fetched (http and https only, credentials never sent) and where a redirect leads. (Retry-After,
// Cache-Control and HTTP dates: common/http/header_values.hpp.)
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/base/result.hpp"

namespace tributary::fetcher {

struct Target {
  bool tls = false;
  std::string host;    // lower-case, without brackets; a name or an IP literal as written
  std::uint16_t port = 0;
  std::string target;  // origin-form request target: path and query, never empty
  std::string url;     // the URL without userinfo and fragment, as recorded and redirected from

  // "host[:port]" for the Host header (the port only when it is not the scheme's default).
  [[nodiscard]] std::string HostHeader() const;
  // "https://host:443": the key of the connection pool, the host gate and the robots cache.
  [[nodiscard]] std::string Origin() const;
};

// Errors (kPermanent): class "url" for text that is not an absolute URL with a host, class
// "scheme" for anything but http and https.
[[nodiscard]] Result<Target> ParseTarget(std::string_view url);

[[nodiscard]] bool IsRedirect(unsigned status);

// The absolute URL a Location header leads to from `base` (RFC 3986 §5 resolution), without
// its fragment. Error class "redirect" when it cannot be resolved.
[[nodiscard]] Result<std::string> ResolveRedirect(std::string_view base, std::string_view location);

}  // namespace tributary::fetcher
