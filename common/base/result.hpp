#pragma once
// Result<T>: the outcome of one unit of work the caller must branch on (STYLE "Errors").
#include <tl/expected.hpp>

#include "common/base/error.hpp"

namespace tributary {

template <typename T>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> Fail(ErrorKind kind, std::string error_class, std::string message) {
  return tl::unexpected<Error>(Error{kind, std::move(error_class), std::move(message)});
}

}  // namespace tributary
