#include "services/embedder/backend.hpp"

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

}  // namespace tributary::embedder
