#pragma once
// Per-host request limits (issue 20): the fleet-wide defaults and overrides by host pattern,
// e.g. `--host-limit 'example.com=0.5/s,2;cdn.example.net=10/s'`: example.com and every host
// under it (news.example.com) get half a request per second and 2 in flight; the most specific
// pattern wins. Patterns are matched against the gate's key: the host, or the registrable
// domain under --politeness-scope domain.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"

namespace tributary::fetcher {

// "2" or "2/s" (per second), "30/min", "120/h": requests per second, > 0.
Result<double> ParseRate(std::string_view text);

struct HostLimitRule {
  std::string pattern;  // a host name, lower-case; matches itself and every host under it
  double rate = 0;      // requests per second
  std::optional<int> concurrency;
};

// `;`-separated PATTERN=RATE[,CONCURRENCY] entries; an empty text is no rule.
Result<std::vector<HostLimitRule>> ParseHostLimits(std::string_view text);

struct HostLimit {
  double rate = 2.0;  // requests per second
  int concurrency = 4;
  double burst = 4.0;  // saved-up requests after idling; 1 (none) for a host under a rule
};

class HostLimits {
 public:
  HostLimits() = default;
  HostLimits(HostLimit defaults, std::vector<HostLimitRule> rules);

  // The limit of `key` (a host or registrable domain): the longest pattern that is `key` or a
  // parent domain of it (no burst: the rule's rate is meant strictly), else the defaults.
  [[nodiscard]] HostLimit For(std::string_view key) const;

 private:
  HostLimit defaults_;
  std::vector<HostLimitRule> rules_;  // longest pattern first
};

}  // namespace tributary::fetcher
