#pragma once
// The main loop of a consuming stage: poll, hand each message to the stage, keep /readyz
// truthful, and on SIGTERM (or a fatal error) shut down in the order STYLE prescribes:
// readiness false -> stop taking work -> wait for in-flight work up to the grace period -> commit
// stored offsets and leave the group. The stage's own Complete() calls store the offsets.
#include <chrono>
#include <functional>

#include "common/admin/admin_server.hpp"
#include "common/kafka/consumer.hpp"

namespace tributary::runtime {

struct LoopSettings {
  std::chrono::milliseconds poll_timeout{100};
  // Kubernetes' terminationGracePeriodSeconds must exceed this plus the producer flush.
  std::chrono::milliseconds shutdown_grace{std::chrono::seconds(20)};
};

// Runs until Shutdown::Requested() or `keep_running` returns false. `dispatch` takes ownership
// of each message and must eventually call consumer.Complete(message) once its work is durable
// (or drop it, if it was revoked). `admin` may be null.
void RunConsumeLoop(kafka::Consumer& consumer, const std::function<void(kafka::Message)>& dispatch,
                    admin::AdminServer* admin, const LoopSettings& settings,
                    const std::function<bool()>& keep_running = [] { return true; });

}  // namespace tributary::runtime
