#include "common/runtime/stage_host.hpp"

#include "common/log/log.hpp"
#include "common/runtime/stop_stage.hpp"

namespace tributary::runtime {
StageHost::StageHost(StageHostSettings settings, metrics::Registry& registry)
    : settings_(std::move(settings)),
      admin_(settings_.admin, registry),
      producer_(settings_.kafka, settings_.stage, registry),
      publisher_(producer_, settings_.kafka, settings_.stage),
      sink_(producer_),
      dead_letters_(publisher_),
      consumer_(settings_.kafka,
                {.stage = settings_.stage,
                 .group_id = settings_.group_id,
                 .group_instance_id = settings_.group_instance_id,
                 .topics = settings_.topics,
                 .max_in_flight_per_partition = settings_.max_in_flight_per_partition,
                 .max_in_flight_total = settings_.max_in_flight_total},
                registry),
      completions_(consumer_) {
  admin_.Start();
}

int StageHost::Run(const StageCallbacks& stage, const std::function<bool()>& keep_running) {
  if (stage.revoke) consumer_.OnRevoke(stage.revoke);
  RunConsumeLoop(consumer_, stage.handle, &admin_, settings_.loop,
                 [&] { return stage.tick() && !producer_.fatal() && keep_running(); });
  if (stage.stop) stage.stop();
  return StopStage(producer_, admin_, *log::Get(settings_.stage));
}

}  // namespace tributary::runtime
