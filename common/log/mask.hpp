#pragma once
// Secret masking applied to every log line and every error that leaves a process: every secret
// value the process was configured with (config/secrets.hpp), then by pattern DSN passwords,
// `password=`/`sasl.password=`/`api_key=` style pairs, Authorization and API-key headers, and
// user:password in URLs. It errs on the side of masking.
#include <string>
#include <string_view>

namespace tributary::log {

inline constexpr std::string_view kMasked = "***";

std::string Mask(std::string_view text);

}  // namespace tributary::log
