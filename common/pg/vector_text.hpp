#pragma once
// pgvector's text form of a vector, for a statement parameter ($1::vector).
#include <span>
#include <string>

namespace tributary::pg {

// [0.5,-1,3.25]: the shortest text that round-trips each float (NaN prints as nan, which
// PostgreSQL rejects: that is a data error for that row).
std::string VectorText(std::span<const float> values);

}  // namespace tributary::pg
