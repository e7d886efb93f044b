#include "services/parser/gzip.hpp"

#include <zlib.h>

#include <algorithm>
#include <climits>

namespace tributary::parser {

bool IsGzip(std::string_view body) {
  return body.size() >= 2 && static_cast<unsigned char>(body[0]) == 0x1F &&
         static_cast<unsigned char>(body[1]) == 0x8B;
}

Result<Inflated> Gunzip(std::string_view body, std::size_t max_bytes) {
  z_stream stream{};
  // 16 + MAX_WBITS: gzip wrapper only.
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {
    return Fail(ErrorKind::kRetryable, "parse", "cannot initialise zlib");
  }
  Inflated out;
  std::string chunk(64 * 1024, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  stream.avail_in = static_cast<uInt>(std::min<std::size_t>(body.size(), UINT_MAX));
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk.data());
    stream.avail_out = static_cast<uInt>(chunk.size());
    rc = inflate(&stream, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    const auto produced = chunk.size() - stream.avail_out;
    if (out.data.size() + produced > max_bytes) {
      out.data.append(chunk.data(), max_bytes - out.data.size());
      out.truncated = true;
      break;
    }
    out.data.append(chunk.data(), produced);
    if (rc == Z_OK && produced == 0 && stream.avail_in == 0) {
      rc = Z_BUF_ERROR;  // input ended before the stream did
      break;
    }
  }
  inflateEnd(&stream);
  if (!out.truncated && rc != Z_STREAM_END) {
    if (out.data.empty()) {
      return Fail(ErrorKind::kPermanent, "parse", "corrupt gzip data");
    }
    out.truncated = true;  // a cut-off download: keep what inflated
  }
  return out;
}

}  // namespace tributary::parser
