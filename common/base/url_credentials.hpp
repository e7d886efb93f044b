#pragma once
// A password in a URL's userinfo (https://user:PASSWORD@host/feed) must not travel with the URL:
// tributary never sends URL credentials (the fetcher drops them), so the password is of no use
// anywhere, and every copy of the URL (sources row, topics, fetch_log, CLI output, logs) would
// otherwise carry it.
#include <string>
#include <string_view>

namespace tributary {

// The URL with its userinfo password replaced by "***" (https://user:***@host/feed); any other
// URL unchanged.
std::string RedactUrlPassword(std::string_view url);

}  // namespace tributary
