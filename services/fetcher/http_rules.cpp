#include "services/fetcher/http_rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <cctype>

#include "common/base/ascii.hpp"
#include "common/http/header_values.hpp"

namespace tributary::fetcher {
namespace {

namespace urls = boost::urls;

// An IPv6 literal is bracketed in URLs and Host headers.
std::string Bracketed(const std::string& host) {
  return host.find(':') != std::string::npos ? fmt::format("[{}]", host) : host;
}

}  // namespace

std::string Target::HostHeader() const {
  if ((tls && port == 443) || (!tls && port == 80)) return Bracketed(host);
  return fmt::format("{}:{}", Bracketed(host), port);
}

std::string Target::Origin() const {
  return fmt::format("{}://{}:{}", tls ? "https" : "http", Bracketed(host), port);
}

Result<Target> ParseTarget(std::string_view url) {
  auto parsed = urls::parse_uri(urls::string_view(url.data(), url.size()));
  if (!parsed) {
    return Fail(ErrorKind::kPermanent, "url", fmt::format("not an absolute URL: {}", url));
  }
  const urls::url_view& view = *parsed;
  Target target;
  const auto scheme = AsciiLower(std::string_view(view.scheme().data(), view.scheme().size()));
  if (scheme == "https") {
    target.tls = true;
  } else if (scheme != "http") {
    return Fail(ErrorKind::kPermanent, "scheme",
                fmt::format("scheme '{}' is not fetched (only http and https)", scheme));
  }
  // The decoded host: %31%32%37.0.0.1 is 127.0.0.1, and the SSRF guard must see that.
  std::string host = AsciiLower(view.host_address());
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  if (host.empty()) {
    return Fail(ErrorKind::kPermanent, "url", fmt::format("URL has no host: {}", url));
  }
  if (host.find_first_of("/\\?#@ \t\r\n") != std::string::npos ||
      host.find('\0') != std::string::npos) {
    return Fail(ErrorKind::kPermanent, "url", "URL host has characters no host name has");
  }
  target.host = host;
  if (view.has_port() && !view.port().empty()) {
    const auto port = http::ParseDigits(std::string_view(view.port().data(), view.port().size()));
    if (!port || *port == 0 || *port > 65535) {
      return Fail(ErrorKind::kPermanent, "url", fmt::format("bad port in {}", url));
    }
    target.port = static_cast<std::uint16_t>(*port);
  } else {
    target.port = target.tls ? 443 : 80;
  }
  const auto path = view.encoded_path();
  target.target = path.empty() ? std::string(1, '/') : std::string(path.data(), path.size());
  if (view.has_query()) {
    target.target += "?";
    target.target.append(view.encoded_query().data(), view.encoded_query().size());
  }
  // Credentials in URLs are never sent (nor recorded): a fetch must not leak them.
  target.url = fmt::format("{}://{}{}", target.tls ? "https" : "http", target.HostHeader(),
                           target.target);
  return target;
}

bool IsRedirect(unsigned status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

Result<std::string> ResolveRedirect(std::string_view base, std::string_view location) {
  const auto trimmed = http::TrimOws(location);
  auto base_view = urls::parse_uri(urls::string_view(base.data(), base.size()));
  auto ref = urls::parse_uri_reference(urls::string_view(trimmed.data(), trimmed.size()));
  if (!base_view || !ref || trimmed.empty()) {
    return Fail(ErrorKind::kPermanent, "redirect",
                fmt::format("cannot follow Location '{}'", trimmed.substr(0, 200)));
  }
  urls::url dest;
  if (auto resolved = urls::resolve(*base_view, *ref, dest); !resolved) {
    return Fail(ErrorKind::kPermanent, "redirect",
                fmt::format("cannot resolve Location '{}'", trimmed.substr(0, 200)));
  }
  dest.remove_fragment();
  return std::string(dest.buffer());
}

}  // namespace tributary::fetcher
