#pragma once
// The trace of the message a thread is working on, added to every log line written meanwhile
// ("trace_id" in JSON lines, "trace_id=" in text), so an operator can follow one request's lines
// across the fleet. A scope lives on one thread and must not span a co_await: a coroutine sets
// one around its log calls instead.
#include <string>
#include <string_view>

namespace tributary::log {

class TraceScope {
 public:
  // `traceparent` as carried in the message's header; a malformed or empty one sets no trace.
  explicit TraceScope(std::string_view traceparent);
  ~TraceScope();
  TraceScope(const TraceScope&) = delete;
  TraceScope& operator=(const TraceScope&) = delete;

 private:
  std::string previous_;
};

// The 32-hex trace id of the innermost scope on this thread, or empty.
std::string_view CurrentTraceId();

}  // namespace tributary::log
