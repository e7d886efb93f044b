#include "common/base/error.hpp"

namespace tributary {

std::string_view ToString(ErrorKind kind) {
  return kind == ErrorKind::kRetryable ? "retryable" : "permanent";
}

std::string Error::ToString() const {
  std::string out(tributary::ToString(kind));
  out += " ";
  out += error_class;
  out += ": ";
  out += message;
  return out;
}

}  // namespace tributary
