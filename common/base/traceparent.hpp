#pragma once
// W3C Trace Context `traceparent` values (https://www.w3.org/TR/trace-context/), which travel in
// Kafka headers from a FetchRequest to the rows it produces (DESIGN §7):
//   00-<trace id: 32 hex>-<parent span id: 16 hex>-<flags: 2 hex>
// Each stage that derives records from a message continues the message's trace with a span of
// its own (same trace id, new span id), so a trace shows every hop.
#include <string>
#include <string_view>

namespace tributary::trace {

// A new trace with a random trace id and span id, sampled.
std::string NewTraceparent();

// The record a stage derives from a message carrying `parent`: the same trace id and flags, a
// new span id. A missing or malformed parent starts a new trace.
std::string ChildTraceparent(std::string_view parent);

// The 32-hex trace id of a well-formed traceparent, or empty.
std::string_view TraceIdOf(std::string_view traceparent);

}  // namespace tributary::trace
