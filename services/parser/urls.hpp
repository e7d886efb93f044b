#pragma once
// URL handling: relative references resolved against the document (RFC 3986, via libxml2's
// resolver), and the canonical form used to recognise one story across fetches and sources.
#include <string>
#include <string_view>

namespace tributary::parser {

// `reference` resolved against `base`; the reference itself when it cannot be resolved, empty
// when it is empty or only whitespace.
std::string ResolveUrl(std::string_view reference, std::string_view base);

// Scheme and host lower-cased, default port dropped, empty path "/", fragment removed and
// tracking parameters (utm_*, fbclid, gclid, ...) removed from the query. Returns the input
// unchanged when it is not an absolute http(s) URL.
std::string CanonicalUrl(std::string_view url);

// True for absolute http:// or https:// URLs.
bool IsHttpUrl(std::string_view url);

}  // namespace tributary::parser
