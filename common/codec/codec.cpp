#include "common/codec/codec.hpp"

#include <fmt/format.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cctype>

#include "common/base/ascii.hpp"

namespace tributary::codec {
namespace {

constexpr std::string_view kDecodeError = "decode";

// "application/json; charset=utf-8" -> "application/json"
std::string MediaType(std::string_view content_type) {
  auto media = AsciiLower(content_type.substr(0, content_type.find(';')));
  const auto first = media.find_first_not_of(" \t");
  const auto last = media.find_last_not_of(" \t");
  return first == std::string::npos ? std::string() : media.substr(first, last - first + 1);
}

std::string HexPrefix(std::string_view value) {
  std::string out;
  for (std::size_t i = 0; i < std::min<std::size_t>(value.size(), 8); ++i) {
    out += fmt::format("{:02x}", static_cast<unsigned char>(value[i]));
  }
  return out;
}

}  // namespace

std::string Encode(const google::protobuf::Message& message) {
  std::string out;
  if (!message.SerializeToString(&out)) {
    // Only possible for a message missing required fields, which proto3 has none of.
    throw std::logic_error("cannot serialize " + message.GetTypeName());
  }
  return out;
}

Result<Encoding> DetectEncoding(std::string_view value, std::string_view content_type) {
  const auto media = MediaType(content_type);
  if (media == kJsonContentType) return Encoding::kJson;
  if (media == kProtobufContentType || media == "application/protobuf" ||
      media == "application/vnd.google.protobuf") {
    return Encoding::kBinary;
  }
  if (!media.empty()) {
    return Fail(ErrorKind::kPermanent, std::string(kDecodeError),
                fmt::format("unsupported content-type '{}' (expected {} or {})", media,
                            kProtobufContentType, kJsonContentType));
  }
  const auto first = value.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && value[first] == '{') return Encoding::kJson;
  return Encoding::kBinary;
}

Result<void> DecodeInto(std::string_view value, std::string_view content_type,
                        google::protobuf::Message& out) {
  const auto encoding = DetectEncoding(value, content_type);
  if (!encoding) return tl::unexpected(encoding.error());
  const auto type = out.GetTypeName();
  if (value.empty()) {
    // An empty binary value parses as a message with every field unset: never useful work.
    return Fail(ErrorKind::kPermanent, std::string(kDecodeError),
                fmt::format("empty value where a {} was expected", type));
  }
  if (*encoding == Encoding::kJson) {
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    const auto status = google::protobuf::util::JsonStringToMessage(
        google::protobuf::StringPiece(value.data(), value.size()), &out, options);
    if (!status.ok()) {
      return Fail(ErrorKind::kPermanent, std::string(kDecodeError),
                  fmt::format("invalid JSON for {} ({} bytes): {}", type, value.size(),
                              std::string(status.message())));
    }
    return {};
  }
  if (!out.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return Fail(ErrorKind::kPermanent, std::string(kDecodeError),
                fmt::format("not a valid binary protobuf {} ({} bytes, starting {}): bad wire "
                            "format or invalid UTF-8 in a string field",
                            type, value.size(), HexPrefix(value)));
  }
  return {};
}

std::string ToJson(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = false;
  const auto status = google::protobuf::util::MessageToJsonString(message, &out, options);
  if (!status.ok()) throw std::logic_error("cannot render JSON: " + std::string(status.message()));
  return out;
}

}  // namespace tributary::codec
