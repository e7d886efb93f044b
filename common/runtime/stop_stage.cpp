#include "common/runtime/stop_stage.hpp"

#include <chrono>

namespace tributary::runtime {

int StopStage(kafka::Producer& producer, admin::AdminServer& admin, spdlog::logger& logger) {
  producer.Flush(std::chrono::seconds(10));
  admin.Stop();
  if (producer.fatal()) {
    logger.error("the Kafka producer hit a fatal error; exiting");
    return 1;
  }
  logger.info("stopped");
  return 0;
}

}  // namespace tributary::runtime
