#pragma once
#include <string>
#include <string_view>

namespace tributary {

// Every failure a stage sees is one of these; the kind decides what happens to the offset.
enum class ErrorKind {
  kRetryable,  // dependency down or busy: back off, keep the offset, try again
  kPermanent,  // this input can never succeed: DLQ it, then store the offset
};

struct Error {
  ErrorKind kind = ErrorKind::kPermanent;
  std::string error_class;  // short machine-readable tag, e.g. "decode", "pg.deadlock"
  std::string message;      // for an operator; never contains a secret

  [[nodiscard]] bool retryable() const { return kind == ErrorKind::kRetryable; }
  [[nodiscard]] std::string ToString() const;
};

std::string_view ToString(ErrorKind kind);

}  // namespace tributary
