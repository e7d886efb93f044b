#include "common/pg/vector_text.hpp"

#include <fmt/format.h>

#include <iterator>

namespace tributary::pg {

std::string VectorText(std::span<const float> values) {
  std::string out;
  out.reserve(values.size() * 10 + 2);
  out += '[';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    fmt::format_to(std::back_inserter(out), "{}", values[i]);
  }
  out += ']';
  return out;
}

}  // namespace tributary::pg
