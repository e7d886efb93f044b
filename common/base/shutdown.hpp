#pragma once
// Process-wide stop request: SIGTERM/SIGINT set it, workers poll it or wait on it.
#include <chrono>

namespace tributary {

class Shutdown {
 public:
  // Installs SIGTERM and SIGINT handlers that request a stop. Call once from Main.
  static void InstallSignalHandlers();
  static void Request();
  [[nodiscard]] static bool Requested();
  // Waits until a stop is requested or the timeout passes; returns Requested().
  static bool WaitFor(std::chrono::milliseconds timeout);
  // For tests that run several apps in one process.
  static void ResetForTesting();
};

}  // namespace tributary
