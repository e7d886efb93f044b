#pragma once
// Content-Encoding decoding with a cap on the *decompressed* size (DESIGN §6): a few kilobytes
// of gzip can inflate to gigabytes, so output stops at the cap and the fetch fails with class
// "decompression_bomb" instead of growing without bound.
#include <cstddef>
#include <string>
#include <string_view>

#include "common/base/result.hpp"

namespace tributary::fetcher {

enum class ContentCoding { kIdentity, kGzip, kDeflate, kUnsupported };

// From a Content-Encoding header value ("gzip", "x-gzip", "deflate", "identity", "").
ContentCoding ParseContentEncoding(std::string_view header);

// Decodes `input`. kGzip accepts concatenated members; kDeflate accepts the zlib format RFC 9110
// prescribes and the raw deflate some servers send instead. Errors (kPermanent): class
// "decompression_bomb" past `max_output` bytes, "decompress" for corrupt or unsupported data.
[[nodiscard]] Result<std::string> Decompress(ContentCoding coding, std::string_view input,
                                             std::size_t max_output);

}  // namespace tributary::fetcher
