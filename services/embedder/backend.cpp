#include "services/embedder/backend.hpp"

#include "services/embedder/text.hpp"

namespace tributary::embedder {

std::string_view ToString(BackendFailure kind) {
  switch (kind) {
    case BackendFailure::kTransient: return "transient";
    case BackendFailure::kQuota: return "quota";
    case BackendFailure::kRejected: return "rejected";
    case BackendFailure::kFatal: return "fatal";
  }
  return "unknown";
}

std::size_t Backend::CountTokens(std::string_view text) const { return EstimateTokens(text); }

}  // namespace tributary::embedder
