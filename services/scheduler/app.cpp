#include "services/scheduler/app.hpp"

#include <algorithm>
#include <iostream>
#include <random>

#include "common/admin/admin_server.hpp"
#include "common/base/shutdown.hpp"
#include "common/kafka/producer.hpp"
#include "common/log/mask.hpp"
#include "common/pg/database.hpp"
#include "common/runtime/process_main.hpp"
#include "common/runtime/stop_stage.hpp"
#include "services/scheduler/config.hpp"
#include "services/scheduler/kafka_request_sink.hpp"
#include "services/scheduler/pg_schedule_store.hpp"
#include "services/scheduler/scheduler.hpp"

namespace tributary::scheduler {

int App::Run(const config::Source& source) {
  Config config;
  std::string help;
  const auto outcome = Parse(source, &config, &help);
  if (auto status = config::EndEarly(outcome, "tributary-scheduler", help)) return *status;
  log::Setup(config.log);
  auto logger = log::Get("scheduler");
  auto& registry = metrics::Default();
  SchedulerMetrics scheduler_metrics(registry);
  admin::AdminServer admin(config.admin, registry);
  admin.Start();
  admin.SetReady(false, "connecting to PostgreSQL");

  pg::Database database(config.pg, "tributary-scheduler");
  kafka::Producer producer(config.kafka, "scheduler", registry);
  KafkaRequestSink sink(producer, std::chrono::seconds(30));
  std::mt19937_64 engine(std::random_device{}());
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  PgScheduleStore store(database);
  Scheduler scheduler(
      store, sink,
      {.requests_topic = config.RequestsTopic(),
       .politeness_scope = config.PolitenessScope(),
       .batch = config.batch,
       .lease = std::chrono::duration_cast<Seconds>(config.lease),
       .failure_threshold = config.failure_threshold,
       .policy = {.min_interval = std::chrono::duration_cast<Seconds>(config.min_interval),
                  .max_interval = std::chrono::duration_cast<Seconds>(config.max_interval),
                  .max_backoff = std::chrono::duration_cast<Seconds>(config.max_backoff),
                  .jitter = config.jitter_percent / 100.0}},
      scheduler_metrics, [&] { return unit(engine); });
  logger->info("scheduling into {} every {} ms (batch {}, lease {} s); admin on port {}",
               config.RequestsTopic(), config.round_interval.count(), config.batch,
               std::chrono::duration_cast<Seconds>(config.lease).count(), admin.port());

  int status = 0;
  while (!Shutdown::Requested()) {
    auto round = scheduler.Round();
    if (!round) {
      if (Shutdown::Requested()) break;
      logger->error("scheduling round failed: {}", round.error().ToString());
      admin.SetReady(false, round.error().message);
      status = 1;
      break;
    }
    admin.SetReady(true);
    // A full batch means more is due: go again at once.
    if (round->leader && round->emitted + round->failed >= static_cast<std::size_t>(config.batch))
      continue;
    if (producer.fatal()) break;  // StopStage reports it and exits non-zero
    Shutdown::WaitFor(config.round_interval);
  }
  admin.SetReady(false, "shutting down");
  return std::max(status, runtime::StopStage(producer, admin, *logger));
}

int App::Main(int argc, char** argv) {
  return runtime::ProcessMain(argc, argv, "tributary-scheduler",
                              [](const config::Source& source) { return Run(source); });
}

}  // namespace tributary::scheduler
