#include "common/base/url_credentials.hpp"

namespace tributary {

std::string RedactUrlPassword(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const auto authority_start = scheme_end + 3;
  auto authority_end = url.find_first_of("/?#", authority_start);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  // The last '@' of the authority ends the userinfo (a password may itself contain '@' when
  // written unescaped).
  const auto at = url.substr(0, authority_end).rfind('@');
  if (at == std::string_view::npos || at < authority_start) return std::string(url);
  const auto colon = url.find(':', authority_start);
  if (colon == std::string_view::npos || colon >= at || colon + 1 == at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

}  // namespace tributary
