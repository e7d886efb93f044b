#pragma once
// `tributary replay`: move a consumer group's committed offsets on one topic (to a time, an
// offset, the earliest or the latest record), like `kafka-consumer-groups --reset-offsets`,
// refusing while the group has active members. Replays are safe because every write is an
// idempotent, monotonic upsert (DESIGN §4).
#include <cstdint>
#include <optional>
#include <string>

#include "common/config/source.hpp"

namespace tributary::cli {

int ReplayCommand(const config::Source& source);

// Milliseconds since the epoch of an RFC 3339 time ("2026-11-23T18:47:37Z",
// "2026-11-23T18:47:37.250+02:00"), or nothing when it is not one.
std::optional<std::int64_t> ParseRfc3339(const std::string& text);

}  // namespace tributary::cli
