#pragma once
// Capped exponential backoff with full jitter, for retrying a dependency that is down.
#include <chrono>
#include <cstdint>
#include <random>

namespace tributary {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max,
          std::uint64_t seed = std::random_device{}());

  // The delay before the next attempt: uniform in [0, min(max, initial * 2^attempt)], at least
  // 1 ms so a retry loop never spins.
  std::chrono::milliseconds Next();
  void Reset() { attempt_ = 0; }
  [[nodiscard]] int attempt() const { return attempt_; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  int attempt_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace tributary
