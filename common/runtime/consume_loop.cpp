#include "common/runtime/consume_loop.hpp"

#include "common/base/shutdown.hpp"
#include "common/log/log.hpp"

namespace tributary::runtime {

void RunConsumeLoop(kafka::Consumer& consumer, const std::function<void(kafka::Message)>& dispatch,
                    admin::AdminServer* admin, const LoopSettings& settings,
                    const std::function<bool()>& keep_running) {
  auto set_ready = [&](bool ready, const char* reason) {
    if (admin != nullptr) admin->SetReady(ready, reason);
  };
  bool was_ready = false;
  while (!Shutdown::Requested() && keep_running()) {
    if (auto message = consumer.Poll(settings.poll_timeout)) dispatch(std::move(*message));
    const bool ready = consumer.HasAssignment();
    if (ready != was_ready) {
      set_ready(ready, "no partitions assigned");
      was_ready = ready;
    }
  }
  set_ready(false, "shutting down");
  log::Get("runtime")->info("stopping: waiting up to {} ms for {} in-flight messages",
                            settings.shutdown_grace.count(), consumer.InFlight());
  consumer.Close(settings.shutdown_grace);
}

}  // namespace tributary::runtime
