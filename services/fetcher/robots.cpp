#include "services/fetcher/robots.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace tributary::fetcher {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool IsTokenChar(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
}

}  // namespace

std::string ProductToken(std::string_view user_agent) {
  std::size_t n = 0;
  while (n < user_agent.size() && IsTokenChar(user_agent[n])) ++n;
  return std::string(user_agent.substr(0, n));
}

bool RobotsPatternMatches(std::string_view pattern, std::string_view path) {
  const bool anchored = !pattern.empty() && pattern.back() == '$';
  if (anchored) pattern.remove_suffix(1);
  // Greedy-with-backtracking glob over `*`, iterative so a hostile file cannot recurse deeply:
  // remember the last star and retry from one character further on a mismatch.
  std::size_t p = 0;
  std::size_t s = 0;
  std::size_t star = std::string_view::npos;
  std::size_t star_s = 0;
  while (true) {
    if (p == pattern.size()) {
      if (!anchored || s == path.size()) return true;
    } else if (pattern[p] == '*') {
      star = p++;
      star_s = s;
      continue;
    } else if (s < path.size() && pattern[p] == path[s]) {
      ++p;
      ++s;
      continue;
    }
    if (star == std::string_view::npos || star_s >= path.size()) return false;
    p = star + 1;
    s = ++star_s;
  }
}

bool RobotsRules::Allows(std::string_view path) const {
  if (path == "/robots.txt") return true;
  if (disallow_all) return false;
  std::size_t best_length = 0;
  bool best_allow = true;
  bool matched = false;
  for (const auto& rule : rules) {
    if (!RobotsPatternMatches(rule.pattern, path)) continue;
    const auto length = rule.pattern.size();
    if (!matched || length > best_length || (length == best_length && rule.allow)) {
      best_length = length;
      best_allow = rule.allow;
      matched = true;
    }
  }
  return !matched || best_allow;
}

RobotsRules ParseRobots(std::string_view text, std::string_view product_token) {
  if (text.size() > kMaxRobotsBytes) text = text.substr(0, kMaxRobotsBytes);
  struct Group {
    std::vector<std::string> agents;
    std::vector<RobotsRules::Rule> rules;
    std::optional<double> crawl_delay;  // seconds
  };
  std::vector<Group> groups;
  bool in_agent_lines = false;  // consecutive user-agent lines start one group
  while (!text.empty()) {
    const auto eol = text.find_first_of("\r\n");
    auto line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    if (const auto hash = line.find('#'); hash != std::string_view::npos) {
      line = line.substr(0, hash);
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const auto key = Trim(line.substr(0, colon));
    const auto value = Trim(line.substr(colon + 1));
    if (EqualsIgnoreCase(key, "user-agent")) {
      if (!in_agent_lines) groups.emplace_back();
      in_agent_lines = true;
      std::size_t n = 0;
      while (n < value.size() && (IsTokenChar(value[n]) || value[n] == '*')) ++n;
      groups.back().agents.emplace_back(value.substr(0, n));
      continue;
    }
    if (EqualsIgnoreCase(key, "crawl-delay")) {
      // Not in RFC 9309, but widely written and honoured: seconds between requests.
      in_agent_lines = false;
      double seconds = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
      if (!groups.empty() && ec == std::errc() && end == value.data() + value.size() &&
          seconds > 0 && std::isfinite(seconds)) {
        groups.back().crawl_delay = seconds;
      }
      continue;
    }
    const bool allow = EqualsIgnoreCase(key, "allow");
    if (!allow && !EqualsIgnoreCase(key, "disallow")) continue;  // sitemap, host, ...
    in_agent_lines = false;
    if (groups.empty()) continue;  // rules before any user-agent line belong to no group
    if (value.empty()) continue;   // "Disallow:" with no path disallows nothing
    groups.back().rules.push_back({std::string(value), allow});
  }
  RobotsRules mine;
  RobotsRules any;
  bool have_mine = false;
  for (const auto& group : groups) {
    const bool is_mine = std::any_of(group.agents.begin(), group.agents.end(), [&](const auto& a) {
      return !product_token.empty() && EqualsIgnoreCase(a, product_token);
    });
    const bool is_any = std::find(group.agents.begin(), group.agents.end(), "*") !=
                        group.agents.end();
    // Of several groups for us, the longest delay any of them asks for.
    const auto merge_delay = [&](RobotsRules& into) {
      if (group.crawl_delay && (!into.crawl_delay_seconds ||
                                *group.crawl_delay > *into.crawl_delay_seconds)) {
        into.crawl_delay_seconds = group.crawl_delay;
      }
    };
    if (is_mine) {
      have_mine = true;
      mine.rules.insert(mine.rules.end(), group.rules.begin(), group.rules.end());
      merge_delay(mine);
    } else if (is_any) {
      any.rules.insert(any.rules.end(), group.rules.begin(), group.rules.end());
      merge_delay(any);
    }
  }
  return have_mine ? mine : any;
}

}  // namespace tributary::fetcher
