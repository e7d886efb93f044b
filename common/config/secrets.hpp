#pragma once
// The secret values this process was configured with, so that every text leaving the process
// (log lines, DLQ headers, CLI errors) can be masked by value, not only by pattern: a backend
// that echoes the key ("Incorrect API key provided: sk-...") must not carry it out.
//
// Spec remembers each Secret option and each secret-looking key=value property (sasl.password,
// ssl.key.password, ...) as it parses them; code that reads a secret from elsewhere (an API key
// file, PGPASSWORD) remembers it itself. log::Mask replaces every remembered value with ***.
#include <string>
#include <string_view>
#include <vector>

namespace tributary::config {

// Remembers `value` as a secret. A DSN or URL is not secret as a whole: only the password inside
// it (postgresql://user:PASSWORD@..., password=PASSWORD) is remembered. Values shorter than
// kMinSecretLength are ignored: masking every "ab" in every line would hide more than it keeps
// safe, and no real credential is that short.
void RememberSecret(std::string_view value);

inline constexpr std::size_t kMinSecretLength = 4;

// Every remembered secret, longest first (a secret containing another is masked whole).
std::vector<std::string> RememberedSecrets();

// Whether a key=value property's key names a secret (librdkafka's sasl.password,
// ssl.key.password, sasl.oauthbearer.client.secret, ssl.key.pem, ...).
bool IsSecretKey(std::string_view key);

}  // namespace tributary::config
