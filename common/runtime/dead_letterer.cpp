#include "common/runtime/dead_letterer.hpp"

#include <algorithm>
#include <thread>

#include "common/base/shutdown.hpp"
#include "common/log/log.hpp"
#include "common/log/trace_scope.hpp"

namespace tributary::runtime {

bool SleepUnlessShutdown(std::chrono::milliseconds delay) {
  constexpr auto kSlice = std::chrono::milliseconds(50);
  for (auto left = delay; left.count() > 0; left -= kSlice) {
    if (Shutdown::Requested()) return false;
    std::this_thread::sleep_for(std::min(left, kSlice));
  }
  return !Shutdown::Requested();
}

DeadLetterer::DeadLetterer(DeadLetters& dead_letters, Completions& completions,
                           WaitUnlessStopping wait, std::chrono::milliseconds initial_backoff,
                           std::chrono::milliseconds max_backoff)
    : dead_letters_(dead_letters),
      completions_(completions),
      wait_(std::move(wait)),
      initial_backoff_(initial_backoff),
      max_backoff_(max_backoff) {}

bool DeadLetterer::DeadLetter(const kafka::Message& message, const Error& error) {
  const log::TraceScope trace(message.Traceparent());
  Backoff backoff(initial_backoff_, max_backoff_);
  for (;;) {
    const auto published = dead_letters_.Publish(message, error);
    if (published) break;
    const auto delay = backoff.Next();
    log::Get("runtime")->warn("cannot write {}[{}]@{} to the DLQ ({}); retrying in {} ms",
                              message.topic, message.partition, message.offset,
                              published.error().message, delay.count());
    if (!wait_(delay)) return false;
  }
  completions_.Complete(message);
  return true;
}

}  // namespace tributary::runtime
