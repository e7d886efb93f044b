#include "common/base/traceparent.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <random>

namespace tributary::trace {
namespace {

std::string RandomHex(std::size_t bytes) {
  thread_local std::mt19937_64 engine(std::random_device{}());
  std::string out;
  out.reserve(bytes * 2 + 16);
  while (out.size() < bytes * 2) out += fmt::format("{:016x}", engine());
  out.resize(bytes * 2);
  return out;
}

bool LowerHex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// Non-zero lower-case hex (the spec forbids all-zero trace and span ids).
bool ValidId(std::string_view id) {
  return LowerHex(id) && id.find_first_not_of('0') != std::string_view::npos;
}

// A span id that is not all zeros (the chance of one is 2^-64, but the spec forbids it).
std::string NewSpanId() {
  for (;;) {
    auto id = RandomHex(8);
    if (ValidId(id)) return id;
  }
}

struct Parts {
  std::string_view trace_id;
  std::string_view flags;
};

// Version 00 is exactly 55 characters; a later version may append fields after the flags.
bool Parse(std::string_view value, Parts* parts) {
  if (value.size() < 55 || value[2] != '-' || value[35] != '-' || value[52] != '-') return false;
  const auto version = value.substr(0, 2);
  if (!LowerHex(version) || version == "ff") return false;
  if (version == "00" && value.size() != 55) return false;
  if (value.size() > 55 && value[55] != '-') return false;
  parts->trace_id = value.substr(3, 32);
  parts->flags = value.substr(53, 2);
  return ValidId(parts->trace_id) && ValidId(value.substr(36, 16)) && LowerHex(parts->flags);
}

}  // namespace

std::string NewTraceparent() {
  for (;;) {
    auto trace_id = RandomHex(16);
    if (ValidId(trace_id)) return "00-" + trace_id + "-" + NewSpanId() + "-01";
  }
}

std::string ChildTraceparent(std::string_view parent) {
  Parts parts;
  if (!Parse(parent, &parts)) return NewTraceparent();
  return fmt::format("00-{}-{}-{}", parts.trace_id, NewSpanId(), parts.flags);
}

std::string_view TraceIdOf(std::string_view traceparent) {
  Parts parts;
  return Parse(traceparent, &parts) ? parts.trace_id : std::string_view();
}

}  // namespace tributary::trace
