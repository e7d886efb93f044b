#pragma once
// JSON string escaping, for the few places that write JSON text by hand (log lines, Postgres
// jsonb literals) rather than through a JSON library.
#include <string>
#include <string_view>

namespace tributary {

// Appends `text` as the body of a JSON string (without quotes): '"', '\\' and control
// characters escaped, everything else (UTF-8 included) as is.
void AppendJsonEscaped(std::string_view text, std::string& out);

// `text` as a JSON string, quotes included.
std::string JsonString(std::string_view text);

}  // namespace tributary
