#include "services/fetcher/decompress.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace tributary::fetcher {
namespace {

constexpr int kGzipWindow = 15 + 16;  // zlib: gzip wrapper only
constexpr int kZlibWindow = 15;       // zlib wrapper
constexpr int kRawWindow = -15;       // no wrapper

enum class InflateStatus { kOk, kTooLarge, kCorrupt };

struct Inflater {
  z_stream stream{};
  bool ready = false;
  explicit Inflater(int window_bits) { ready = inflateInit2(&stream, window_bits) == Z_OK; }
  ~Inflater() {
    if (ready) inflateEnd(&stream);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
};

InflateStatus Inflate(int window_bits, std::string_view input, std::size_t max_output,
                      std::string* out, std::string* why) {
  out->clear();
  std::string_view rest = input;
  std::array<unsigned char, 64 * 1024> chunk{};
  // Concatenated gzip members decode one after another (RFC 1952 allows several).
  while (true) {
    Inflater inflater(window_bits);
    if (!inflater.ready) {
      *why = "zlib could not be initialised";
      return InflateStatus::kCorrupt;
    }
    auto& zs = inflater.stream;
    // zlib takes a non-const pointer but does not write through next_in.
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(rest.data()));  // NOLINT
    zs.avail_in = static_cast<uInt>(rest.size());
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
      zs.next_out = chunk.data();
      zs.avail_out = static_cast<uInt>(chunk.size());
      rc = inflate(&zs, Z_NO_FLUSH);
      if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
        *why = zs.msg != nullptr ? zs.msg : fmt::format("zlib error {}", rc);
        return InflateStatus::kCorrupt;
      }
      const auto produced = chunk.size() - zs.avail_out;
      if (out->size() + produced > max_output) return InflateStatus::kTooLarge;
      out->append(reinterpret_cast<const char*>(chunk.data()), produced);
      if (rc == Z_BUF_ERROR || (produced == 0 && zs.avail_in == 0 && rc != Z_STREAM_END)) {
        *why = "compressed data ends early";
        return InflateStatus::kCorrupt;
      }
    }
    rest.remove_prefix(rest.size() - zs.avail_in);
    if (window_bits != kGzipWindow || rest.empty()) break;
    // Trailing zero padding after the last member is common and harmless.
    if (std::all_of(rest.begin(), rest.end(), [](char c) { return c == 0; })) break;
  }
  return InflateStatus::kOk;
}

Result<std::string> Finish(InflateStatus status, std::string out, const std::string& why,
                           std::size_t max_output, std::string_view name) {
  switch (status) {
    case InflateStatus::kOk:
      return out;
    case InflateStatus::kTooLarge:
      return Fail(ErrorKind::kPermanent, "decompression_bomb",
                  fmt::format("{} body inflates past the {} byte limit", name, max_output));
    case InflateStatus::kCorrupt:
      break;
  }
  return Fail(ErrorKind::kPermanent, "decompress", fmt::format("bad {} body: {}", name, why));
}

}  // namespace

ContentCoding ParseContentEncoding(std::string_view header) {
  std::string value;
  for (char c : header) {
    if (c != ' ' && c != '\t') {
      value += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  if (value.empty() || value == "identity") return ContentCoding::kIdentity;
  if (value == "gzip" || value == "x-gzip") return ContentCoding::kGzip;
  if (value == "deflate") return ContentCoding::kDeflate;
  return ContentCoding::kUnsupported;
}

Result<std::string> Decompress(ContentCoding coding, std::string_view input,
                               std::size_t max_output) {
  std::string out;
  std::string why;
  switch (coding) {
    case ContentCoding::kIdentity:
      if (input.size() > max_output) {
        return Fail(ErrorKind::kPermanent, "body_too_large",
                    fmt::format("body is over the {} byte limit", max_output));
      }
      return std::string(input);
    case ContentCoding::kGzip: {
      const auto status = Inflate(kGzipWindow, input, max_output, &out, &why);
      return Finish(status, std::move(out), why, max_output, "gzip");
    }
    case ContentCoding::kDeflate: {
      auto status = Inflate(kZlibWindow, input, max_output, &out, &why);
      if (status == InflateStatus::kCorrupt) {
        status = Inflate(kRawWindow, input, max_output, &out, &why);
      }
      return Finish(status, std::move(out), why, max_output, "deflate");
    }
    case ContentCoding::kUnsupported:
      break;
  }
  return Fail(ErrorKind::kPermanent, "decompress",
              "unsupported Content-Encoding (only gzip and deflate are accepted)");
}

}  // namespace tributary::fetcher
