#include "common/log/mask.hpp"

#include <regex>

#include "common/config/secrets.hpp"

namespace tributary::log {
namespace {

struct Rule {
  std::regex pattern;
  const char* replacement;
};

const std::vector<Rule>& Rules() {
  // Compiled once; std::regex is slow, but log lines are not a hot path (STYLE: no logging in
  // hot loops), and correctness of masking matters more here.
  static const std::vector<Rule> rules = [] {
    const auto icase = std::regex::ECMAScript | std::regex::icase;
    std::vector<Rule> r;
    // scheme://user:password@host  ->  scheme://user:***@host
    r.push_back({std::regex(R"re(([a-z][a-z0-9+.\-]*://[^/\s:@]*):[^@\s/]*@)re", icase), "$1:***@"});
    // key=value and key: value pairs whose key names a secret (libpq, librdkafka, env dumps).
    r.push_back({std::regex(R"re(((?:sasl\.|ssl\.key\.|ssl\.keystore\.)?(?:password|passwd|pwd|secret|api[_\-.]?key|access[_\-.]?token|token|sasl\.oauthbearer\.client\.secret)\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&"'}]+))re",
                           icase),
                "$1***"});
    // "password":"value" in JSON-ish text.
    r.push_back({std::regex(R"re(("(?:[a-z_.\-]*password|[a-z_.\-]*secret|api[_\-]?key|token)"\s*:\s*)"[^"]*")re",
                            icase),
                 "$1\"***\""});
    // Authorization: Bearer xyz / Basic xyz
    r.push_back({std::regex(R"re((authorization\s*[:=]\s*(?:bearer|basic|token)?\s*)[^\s,;"']+)re",
                            icase),
                 "$1***"});
    return r;
  }();
  return rules;
}

}  // namespace

std::string Mask(std::string_view text) {
  std::string out(text);
  // By value first: the configured secrets, wherever and however they appear.
  for (const auto& secret : config::RememberedSecrets()) {
    for (auto at = out.find(secret); at != std::string::npos;
         at = out.find(secret, at + kMasked.size())) {
      out.replace(at, secret.size(), kMasked);
    }
  }
  for (const auto& rule : Rules()) out = std::regex_replace(out, rule.pattern, rule.replacement);
  return out;
}

}  // namespace tributary::log
