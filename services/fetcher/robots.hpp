#pragma once
// robots.txt per RFC 9309, as pure parsing and matching (the cache that fetches it lives in the
// fetch engine):
//  - the groups whose user-agent matches our product token (case-insensitive) are combined; with
//    none, the `*` groups are; with neither, everything is allowed;
//  - the longest matching rule wins, allow over disallow on a tie; `*` matches any run of
//    characters and a final `$` anchors the end; /robots.txt itself is always allowed;
//  - a fetched robots.txt answering 4xx means "allow all", 5xx or unreachable "disallow all".
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tributary::fetcher {

// RFC 9309 §2.5: crawlers must parse at least 500 KiB; we read that much and no more.
inline constexpr std::size_t kMaxRobotsBytes = 500 * 1024;

struct RobotsRules {
  struct Rule {
    std::string pattern;
    bool allow = false;
  };
  std::vector<Rule> rules;
  bool disallow_all = false;  // the server failed (5xx, unreachable): assume complete disallow
  // `Crawl-delay` of the group that applies (not RFC 9309, but widely used): seconds between
  // requests; the fetcher caps it (--max-crawl-delay) and slows the host down to it.
  std::optional<double> crawl_delay_seconds;

  static RobotsRules AllowAll() { return {}; }
  static RobotsRules DisallowAll() { return {{}, true}; }

  // `path` is the request target: path plus query, e.g. "/feed.xml?page=2".
  [[nodiscard]] bool Allows(std::string_view path) const;
};

// `product_token` is the user-agent's product name, e.g. "tributary" (RFC 9309 §2.2.1).
RobotsRules ParseRobots(std::string_view text, std::string_view product_token);

// The product token of a User-Agent header value: its leading run of letters, '-' and '_'.
std::string ProductToken(std::string_view user_agent);

// Does `pattern` (with `*` and a final `$`) match a prefix of `path` (or all of it, with `$`)?
bool RobotsPatternMatches(std::string_view pattern, std::string_view path);

}  // namespace tributary::fetcher
