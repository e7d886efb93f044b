#pragma once
// "Dead-letter until published, then complete", which every stage needs for a poison message
// (DESIGN §4), written once: publish to dlq.<stage> (the publisher counts and logs it), retry
// with capped, jittered backoff while the broker refuses, and only then complete the message so
// its offset moves past it. A stopping stage gives up waiting: the message stays uncompleted and
// its partition's next owner sees it again.
#include <chrono>
#include <functional>

#include "common/base/backoff.hpp"
#include "common/runtime/stage_ports.hpp"

namespace tributary::runtime {

// Sleeps `delay` unless the stage is stopping; false when it is (the explicit stop token).
using WaitUnlessStopping = std::function<bool(std::chrono::milliseconds delay)>;

// The process's own: sleeps in short slices and stops waiting on Shutdown::Requested().
bool SleepUnlessShutdown(std::chrono::milliseconds delay);

class DeadLetterer {
 public:
  DeadLetterer(DeadLetters& dead_letters, Completions& completions,
               WaitUnlessStopping wait = SleepUnlessShutdown,
               std::chrono::milliseconds initial_backoff = std::chrono::milliseconds(100),
               std::chrono::milliseconds max_backoff = std::chrono::seconds(10));

  // True once `message` is in the DLQ and completed; false if the stage stopped first.
  bool DeadLetter(const kafka::Message& message, const Error& error);

 private:
  DeadLetters& dead_letters_;
  Completions& completions_;
  WaitUnlessStopping wait_;
  std::chrono::milliseconds initial_backoff_;
  std::chrono::milliseconds max_backoff_;
};

}  // namespace tributary::runtime
