#include "services/parser/app.hpp"

#include "common/runtime/process_main.hpp"
#include "common/runtime/stage_host.hpp"
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

  runtime::StageHost host({.stage = "parser",
                           .kafka = config.kafka,
                           .admin = config.admin,
                           .group_id = config.group_id,
                           .group_instance_id = config.group_instance_id,
                           .topics = {config.DocumentsTopic()},
                           // A document (up to 16 MiB) is held until its records are
                           // acknowledged, for a re-produce: bound how many wait in memory.
                           .max_in_flight_per_partition = 16,
                           .max_in_flight_total = 32},
                          registry);
  Core core({.items_topic = config.ItemsTopic(),
             .requests_topic = config.RequestsTopic(),
             .politeness_scope = config.PolitenessScope(),
             .events_topic = config.EventsTopic(),
             .limits = config.ParserLimits()},
            host.sink(), host.dead_letters(), host.completions(), stage_metrics);
  logger->info("parsing {} into {}, {} and {}; admin on port {}", config.DocumentsTopic(),
               config.ItemsTopic(), config.RequestsTopic(), config.EventsTopic(),
               host.admin_port());
  // Parsing happens on the poll thread; deliveries complete on the producer's thread, so
  // in-flight work can still finish during the shutdown grace period.
  return host.Run({.handle = [&](kafka::Message message) { core.Handle(std::move(message)); },
                   .tick = [&] { return core.Tick(); }},
                  keep_running);
}

int App::Main(int argc, char** argv) {
  return runtime::ProcessMain(argc, argv, "tributary-parser",
                              [](const config::Source& source) { return Run(source); });
}

}  // namespace tributary::parser
