#include "common/base/backoff.hpp"

#include <algorithm>

namespace tributary {

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max,
                 std::uint64_t seed)
    : initial_(initial), max_(max), rng_(seed) {}

std::chrono::milliseconds Backoff::Next() {
  // Doubling stops at 2^30 so the shift never overflows, long after `max_` caps it.
  const int shift = std::min(attempt_, 30);
  ++attempt_;
  const auto ceiling = std::min<std::int64_t>(max_.count(), initial_.count() << shift);
  std::uniform_int_distribution<std::int64_t> pick(1, std::max<std::int64_t>(1, ceiling));
  return std::chrono::milliseconds(pick(rng_));
}

}  // namespace tributary
