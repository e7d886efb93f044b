#include "services/fetcher/app.hpp"

#include "common/runtime/process_main.hpp"
#include "common/runtime/stage_host.hpp"
#include "services/fetcher/config.hpp"
#include "services/fetcher/fetch_worker.hpp"

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

  runtime::StageHost host(
      {.stage = "fetcher",
       .kafka = config.kafka,
       .admin = config.admin,
       .group_id = config.group_id,
       .group_instance_id = config.group_instance_id,
       .topics = {config.RequestsTopic()},
       .max_in_flight_per_partition = static_cast<std::size_t>(config.max_in_flight_per_partition),
       .max_in_flight_total = static_cast<std::size_t>(config.max_in_flight),
       .loop = {.shutdown_grace = config.shutdown_grace}},
      registry);
  // Destroyed before the host: its destructor detaches it, so a late delivery callback cannot
  // reach a destroyed consumer.
  FetchWorker worker(std::move(worker_settings), host.sink(), host.dead_letters(),
                     host.completions(), fetcher_metrics);
  worker.Start();
  logger->info("fetching {} into {} and {}; admin on port {}", config.RequestsTopic(),
               config.DocumentsTopic(), config.EventsTopic(), host.admin_port());
  // Fetches run on the worker's io thread; deliveries complete on the producer's thread, so
  // in-flight work can still finish during the shutdown grace period.
  return host.Run({.handle = [&](kafka::Message message) { worker.Handle(std::move(message)); },
                   .tick = [&] { return worker.Tick(); },
                   .stop = [&] { worker.Stop(); }},
                  keep_running);
}

int App::Main(int argc, char** argv) {
  return runtime::ProcessMain(argc, argv, "tributary-fetcher",
                              [](const config::Source& source) { return Run(source); });
}

}  // namespace tributary::fetcher
