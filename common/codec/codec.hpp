#pragma once
#include <google/protobuf/message.h>

#include <string>
#include <string_view>

#include "common/base/result.hpp"

namespace tributary::codec {

inline constexpr std::string_view kContentTypeHeader = "content-type";
inline constexpr std::string_view kProtobufContentType = "application/x-protobuf";
inline constexpr std::string_view kJsonContentType = "application/json";

enum class Encoding { kBinary, kJson };

std::string Encode(const google::protobuf::Message& message);

// Which encoding a value is in, from its content-type header (may be empty) or by sniffing.
Result<Encoding> DetectEncoding(std::string_view value, std::string_view content_type);

// Fills `out` from `value`; on failure `out` is unspecified and the error is kPermanent/"decode".
[[nodiscard]] Result<void> DecodeInto(std::string_view value, std::string_view content_type,
                                      google::protobuf::Message& out);

template <typename T>
[[nodiscard]] Result<T> Decode(std::string_view value, std::string_view content_type = {}) {
  T message;
  if (auto ok = DecodeInto(value, content_type, message); !ok) return tl::unexpected(ok.error());
  return message;
}

// The protobuf JSON mapping, one line, field names in lowerCamelCase as the mapping specifies.
std::string ToJson(const google::protobuf::Message& message);

}  // namespace tributary::codec
