#include "services/fetcher/app.hpp"

#include <iostream>

#include "common/base/shutdown.hpp"
#include "common/kafka/producer.hpp"
#include "common/log/mask.hpp"
#include "common/runtime/consume_loop.hpp"
#include "common/runtime/process_main.hpp"
#include "common/runtime/stop_stage.hpp"
#include "services/fetcher/config.hpp"
#include "services/fetcher/fetch_worker.hpp"
#include "common/runtime/kafka_stage_ports.hpp"

namespace tributary::fetcher {

int App::Run(const config::Source& source, const std::function<bool()>& keep_running) {
  Config config;
  std::string help;
  const auto outcome = Parse(source, &config, &help);
  if (auto status = config::EndEarly(outcome, "tributary-fetcher", help)) return *status;
  auto worker_settings = config.Worker();
  log::Setup(config.log);
  auto logger = log::Get("fetcher");
  auto& registry = metrics::Default();
  FetcherMetrics fetcher_metrics(registry);

  // Members in dependency order; the worker goes first on the way out (its destructor detaches
  // it from the consumer, so a late delivery callback cannot reach a destroyed consumer).
  admin::AdminServer admin(config.admin, registry);
  admin.Start();
  kafka::Producer producer(config.kafka, "fetcher", registry);
  kafka::DlqPublisher publisher(producer, config.kafka, "fetcher");
  runtime::ProducerSink sink(producer);
  runtime::KafkaDeadLetters dead_letters(publisher);
  kafka::Consumer consumer(
      config.kafka,
      {.stage = "fetcher",
       .group_id = config.group_id,
       .group_instance_id = config.group_instance_id,
       .topics = {config.RequestsTopic()},
       .max_in_flight_per_partition = static_cast<std::size_t>(config.max_in_flight_per_partition),
       .max_in_flight_total = static_cast<std::size_t>(config.max_in_flight)},
      registry);
  runtime::ConsumerCompletions completions(consumer);
  FetchWorker worker(std::move(worker_settings), sink, dead_letters, completions,
                     fetcher_metrics);
  worker.Start();
  logger->info("fetching {} into {} and {}; admin on port {}", config.RequestsTopic(),
               config.DocumentsTopic(), config.EventsTopic(), admin.port());

  // Fetches run on the worker's io thread; deliveries complete on the producer's thread, so
  // in-flight work can still finish during the shutdown grace period.
  runtime::RunConsumeLoop(
      consumer, [&](kafka::Message message) { worker.Handle(std::move(message)); }, &admin,
      {.shutdown_grace = config.shutdown_grace},
      [&] { return worker.Tick() && !producer.fatal() && keep_running(); });
  worker.Stop();
  return runtime::StopStage(producer, admin, *logger);
}

int App::Main(int argc, char** argv) {
  return runtime::ProcessMain(argc, argv, "tributary-fetcher",
                              [](const config::Source& source) { return Run(source); });
}

}  // namespace tributary::fetcher
