#pragma once
// HTTP header values that both of our HTTP clients (the fetcher's and the embedder's) act on:
// the three HTTP date formats (RFC 9110 §5.6.7), Retry-After, and how long Cache-Control or
// Expires say a response stays fresh.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace tributary::http {

// A header value without the optional whitespace (spaces, tabs) around it.
std::string_view TrimOws(std::string_view text);

// 1*DIGIT as HTTP uses it (delay-seconds, max-age, a URL's port): no sign, no spaces, at most
// 12 digits.
std::optional<long long> ParseDigits(std::string_view text);

// IMF-fixdate, obsolete RFC 850 and asctime forms, always GMT.
std::optional<std::chrono::system_clock::time_point> ParseHttpDate(std::string_view text);
std::string FormatHttpDate(std::chrono::system_clock::time_point time);

// Retry-After: delay-seconds or an HTTP date (relative to `now`, never negative).
std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value,
                                                    std::chrono::system_clock::time_point now);

// Freshness the server grants: Cache-Control s-maxage/max-age, else Expires - Date.
std::optional<std::chrono::seconds> ParseMaxAge(std::string_view cache_control,
                                                std::string_view expires, std::string_view date);

}  // namespace tributary::http
