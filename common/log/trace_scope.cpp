#include "common/log/trace_scope.hpp"

#include "common/base/traceparent.hpp"

namespace tributary::log {
namespace {

thread_local std::string current_trace_id;

}  // namespace

TraceScope::TraceScope(std::string_view traceparent) : previous_(current_trace_id) {
  current_trace_id = std::string(trace::TraceIdOf(traceparent));
}

TraceScope::~TraceScope() { current_trace_id = std::move(previous_); }

std::string_view CurrentTraceId() { return current_trace_id; }

}  // namespace tributary::log
