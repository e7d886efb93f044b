#include "services/parser/bounded_json.hpp"

#include <fmt/format.h>

namespace tributary::parser {
namespace {

bool DepthWithin(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

}  // namespace

Result<nlohmann::json> ParseBoundedJson(std::string_view text, int max_depth) {
  if (!DepthWithin(text, max_depth)) {
    return Fail(ErrorKind::kPermanent, "parse",
                fmt::format("JSON nested deeper than {} levels", max_depth));
  }
  auto json = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Fail(ErrorKind::kPermanent, "parse", "invalid JSON");
  return json;
}

}  // namespace tributary::parser
