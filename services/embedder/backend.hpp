#pragma once
// The port every embedding backend implements (DESIGN §6): texts in, one vector per text out,
// in input order. Failures are classified here, at the edge, so the core only decides what
// to do with a kind: wait (transient, quota), isolate the input (rejected), or stop (fatal).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace tributary::embedder {

using Vector = std::vector<float>;

enum class BackendFailure {
  kTransient,  // 429, 5xx, timeout, connection error: back off, pause, retry forever
  kQuota,      // 429 insufficient_quota (or equivalent): pause and say so loudly; retry slowly
  kRejected,   // 400/413/422: the backend refuses this input; split the batch to find which
  kFatal,      // wrong dimension, malformed answer, unknown model: stop the stage
};

struct BackendError {
  BackendFailure kind = BackendFailure::kTransient;
  std::string error_class;  // e.g. "backend.http_503", "backend.timeout", "backend.dims"
  std::string message;      // for an operator; never contains the API key
  int status = 0;           // HTTP status, 0 when there was no answer
  std::optional<std::chrono::milliseconds> retry_after;
};

struct Embeddings {
  std::vector<Vector> vectors;  // one per input text, in input order
  std::size_t tokens = 0;       // as reported by the backend, 0 when it does not say
  std::size_t truncated = 0;    // inputs the backend cut to its own limit (when it says)
};

using EmbedResult = tl::expected<Embeddings, BackendError>;

class Backend {
 public:
  virtual ~Backend() = default;
  // Thread-safe: several batches are in flight at once.
  [[nodiscard]] virtual EmbedResult Embed(const std::vector<std::string>& texts) = 0;
  // A text's tokens as this backend's model counts them, without its special tokens: what
  // passages are measured in. By default the approximation of EstimateTokens (text.hpp), for
  // backends whose tokenizer is not in this process. Thread-safe.
  [[nodiscard]] virtual std::size_t CountTokens(std::string_view text) const;
};

// "transient", "quota", "rejected", "fatal": for logs and metric labels.
std::string_view ToString(BackendFailure kind);

}  // namespace tributary::embedder
