#include "services/fetcher/host_limits.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "common/base/ascii.hpp"
#include "common/http/header_values.hpp"

namespace tributary::fetcher {
Result<double> ParseRate(std::string_view text) {
  const auto trimmed = http::TrimOws(text);
  const auto slash = trimmed.find('/');
  const auto number = http::TrimOws(trimmed.substr(0, slash));
  double per_unit = 1;
  if (slash != std::string_view::npos) {
    const auto unit = http::TrimOws(trimmed.substr(slash + 1));
    if (unit == "s") {
      per_unit = 1;
    } else if (unit == "min") {
      per_unit = 60;
    } else if (unit == "h") {
      per_unit = 3600;
    } else {
      return Fail(ErrorKind::kPermanent, "config",
                  fmt::format("rate '{}': the unit after '/' must be s, min or h", text));
    }
  }
  double value = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (number.empty() || ec != std::errc() || end != number.data() + number.size() ||
      !(value > 0) || value > 1e6) {
    return Fail(ErrorKind::kPermanent, "config",
                fmt::format("rate '{}': expected a positive number of requests, e.g. 2, 0.5/s, "
                            "30/min",
                            text));
  }
  return value / per_unit;
}

Result<std::vector<HostLimitRule>> ParseHostLimits(std::string_view text) {
  std::vector<HostLimitRule> rules;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto end = std::min(text.find(';', start), text.size());
    const auto entry = http::TrimOws(text.substr(start, end - start));
    start = end + 1;
    if (entry.empty()) continue;
    const auto eq = entry.find('=');
    if (eq == std::string_view::npos) {
      return Fail(ErrorKind::kPermanent, "config",
                  fmt::format("'{}': expected PATTERN=RATE[,CONCURRENCY]", entry));
    }
    HostLimitRule rule;
    rule.pattern = AsciiLower(http::TrimOws(entry.substr(0, eq)));
    if (rule.pattern.starts_with("*.")) rule.pattern.erase(0, 2);  // "*.example.com" reads alike
    if (rule.pattern.empty() || rule.pattern.find_first_of("/: ") != std::string::npos) {
      return Fail(ErrorKind::kPermanent, "config",
                  fmt::format("'{}': the pattern must be a host name like example.com", entry));
    }
    auto value = http::TrimOws(entry.substr(eq + 1));
    const auto comma = value.find(',');
    auto rate = ParseRate(value.substr(0, comma));
    if (!rate) return tl::unexpected(rate.error());
    rule.rate = *rate;
    if (comma != std::string_view::npos) {
      const auto text_concurrency = http::TrimOws(value.substr(comma + 1));
      int concurrency = 0;
      const auto [p, ec] = std::from_chars(
          text_concurrency.data(), text_concurrency.data() + text_concurrency.size(), concurrency);
      if (ec != std::errc() || p != text_concurrency.data() + text_concurrency.size() ||
          concurrency < 1 || concurrency > 10'000) {
        return Fail(ErrorKind::kPermanent, "config",
                    fmt::format("'{}': the concurrency after ',' must be 1 to 10000", entry));
      }
      rule.concurrency = concurrency;
    }
    rules.push_back(std::move(rule));
  }
  return rules;
}

HostLimits::HostLimits(HostLimit defaults, std::vector<HostLimitRule> rules)
    : defaults_(defaults), rules_(std::move(rules)) {
  std::stable_sort(rules_.begin(), rules_.end(), [](const auto& a, const auto& b) {
    return a.pattern.size() > b.pattern.size();
  });
}

HostLimit HostLimits::For(std::string_view key) const {
  for (const auto& rule : rules_) {
    const bool same = key == rule.pattern;
    const bool under = key.size() > rule.pattern.size() && key.ends_with(rule.pattern) &&
                       key[key.size() - rule.pattern.size() - 1] == '.';
    if (same || under) {
      return {.rate = rule.rate,
              .concurrency = rule.concurrency.value_or(defaults_.concurrency),
              .burst = 1.0};
    }
  }
  return defaults_;
}

}  // namespace tributary::fetcher
