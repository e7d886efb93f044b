#pragma once
// PostgreSQL array literals in text form: how a whole batch travels as one parameter of
// `... FROM unnest($1::text[], $2::bigint[])` (the loader's writes, the embedder's look-ups).
#include <optional>
#include <span>
#include <string>

namespace tributary::pg {

// {"a","b",NULL}: every element quoted, so no element text can break the literal.
std::string ArrayLiteral(std::span<const std::optional<std::string>> elements);
std::string ArrayLiteral(std::span<const std::string> elements);

}  // namespace tributary::pg
