#include "common/config/secrets.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>

#include "common/base/ascii.hpp"

namespace tributary::config {
namespace {

std::mutex& Mutex() {
  static std::mutex mutex;
  return mutex;
}

std::vector<std::string>& Secrets() {
  static std::vector<std::string> secrets;
  return secrets;
}

void Add(std::string value) {
  if (value.size() < kMinSecretLength) return;
  std::lock_guard lock(Mutex());
  auto& secrets = Secrets();
  if (std::find(secrets.begin(), secrets.end(), value) != secrets.end()) return;
  secrets.push_back(std::move(value));
  std::stable_sort(secrets.begin(), secrets.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecoded(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
        HexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// scheme://user:PASSWORD@host...: the password as written and decoded.
void AddUrlPassword(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return;
  const auto authority_start = scheme_end + 3;
  const auto at = url.find('@', authority_start);
  const auto slash = url.find('/', authority_start);
  if (at == std::string_view::npos || (slash != std::string_view::npos && slash < at)) return;
  const auto colon = url.find(':', authority_start);
  if (colon == std::string_view::npos || colon > at) return;
  const auto password = url.substr(colon + 1, at - colon - 1);
  Add(std::string(password));
  Add(PercentDecoded(password));
}

// libpq keyword form: password=VALUE or password='VALUE with spaces'.
void AddKeywordPassword(std::string_view dsn) {
  for (auto at = dsn.find("password"); at != std::string_view::npos;
       at = dsn.find("password", at + 1)) {
    if (at > 0 && !std::isspace(static_cast<unsigned char>(dsn[at - 1]))) continue;
    auto pos = at + 8;
    while (pos < dsn.size() && dsn[pos] == ' ') ++pos;
    if (pos >= dsn.size() || dsn[pos] != '=') continue;
    ++pos;
    while (pos < dsn.size() && dsn[pos] == ' ') ++pos;
    std::string value;
    if (pos < dsn.size() && dsn[pos] == '\'') {
      for (++pos; pos < dsn.size() && dsn[pos] != '\''; ++pos) {
        if (dsn[pos] == '\\' && pos + 1 < dsn.size()) ++pos;
        value += dsn[pos];
      }
    } else {
      while (pos < dsn.size() && !std::isspace(static_cast<unsigned char>(dsn[pos]))) {
        value += dsn[pos++];
      }
    }
    Add(std::move(value));
  }
}

}  // namespace

void RememberSecret(std::string_view value) {
  if (value.find("://") != std::string_view::npos) {
    AddUrlPassword(value);
  } else if (value.find('=') != std::string_view::npos) {
    AddKeywordPassword(value);
  } else {
    Add(std::string(value));
  }
}

std::vector<std::string> RememberedSecrets() {
  std::lock_guard lock(Mutex());
  return Secrets();
}

bool IsSecretKey(std::string_view key) {
  const auto lower = AsciiLower(key);
  for (const char* word : {"password", "secret", "token", ".pem", "oauthbearer.config"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

}  // namespace tributary::config
