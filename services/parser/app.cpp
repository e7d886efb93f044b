#include "services/parser/app.hpp"

#include <iostream>

#include "common/base/shutdown.hpp"
#include "common/kafka/producer.hpp"
#include "common/log/mask.hpp"
#include "common/runtime/consume_loop.hpp"
#include "common/runtime/kafka_stage_ports.hpp"
#include "common/runtime/process_main.hpp"
#include "common/runtime/stop_stage.hpp"
#include "services/parser/config.hpp"
#include "services/parser/core.hpp"

namespace tributary::parser {

int App::Run(const config::Source& source, const std::function<bool()>& keep_running) {
  Config config;
  std::string help;
  const auto outcome = Parse(source, &config, &help);
  if (auto status = config::EndEarly(outcome, "tributary-parser", help)) return *status;
  log::Setup(config.log);
  auto logger = log::Get("parser");
  auto& registry = metrics::Default();
  StageMetrics stage_metrics(registry);

  // Members in dependency order; the consumer is created last and closed first.
  admin::AdminServer admin(config.admin, registry);
  admin.Start();
  kafka::Producer producer(config.kafka, "parser", registry);
  kafka::DlqPublisher publisher(producer, config.kafka, "parser");
  runtime::ProducerSink sink(producer);
  runtime::KafkaDeadLetters dead_letters(publisher);
  kafka::Consumer consumer(config.kafka,
                           {.stage = "parser",
                            .group_id = config.group_id,
                            .group_instance_id = config.group_instance_id,
                            .topics = {config.DocumentsTopic()},
                            // A document (up to 16 MiB) is held until its records are
                            // acknowledged, for a re-produce: bound how many wait in memory.
                            .max_in_flight_per_partition = 16,
                            .max_in_flight_total = 32},
                           registry);
  runtime::ConsumerCompletions completions(consumer);
  Core core({.items_topic = config.ItemsTopic(),
             .requests_topic = config.RequestsTopic(),
             .events_topic = config.EventsTopic(),
             .limits = config.ParserLimits()},
            sink, dead_letters, completions, stage_metrics);
  logger->info("parsing {} into {}, {} and {}; admin on port {}", config.DocumentsTopic(),
               config.ItemsTopic(), config.RequestsTopic(), config.EventsTopic(), admin.port());

  // Parsing happens on the poll thread; deliveries complete on the producer's thread, so
  // in-flight work can still finish during the shutdown grace period.
  runtime::RunConsumeLoop(
      consumer, [&](kafka::Message message) { core.Handle(std::move(message)); }, &admin, {},
      [&] { return core.Tick() && !producer.fatal() && keep_running(); });
  return runtime::StopStage(producer, admin, *logger);
}

int App::Main(int argc, char** argv) {
  return runtime::ProcessMain(argc, argv, "tributary-parser",
                              [](const config::Source& source) { return Run(source); });
}

}  // namespace tributary::parser
