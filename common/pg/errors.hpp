#pragma once
// Classifies PostgreSQL failures: retryable (connection lost, serialization failure 40001,
// deadlock 40P01, lock/statement timeout, server shutting down or overloaded) versus permanent
// (bad data, constraint violations, syntax). Adapters call this; no pqxx type crosses a port.
#include <exception>
#include <string_view>

#include "common/base/error.hpp"

namespace tributary::pg {

// For the exception currently being handled or passed in.
Error Classify(const std::exception& error);

// The classification of a bare SQLSTATE (exposed for tests and for COPY error paths).
Error ClassifySqlState(std::string_view sqlstate, std::string message);

}  // namespace tributary::pg
