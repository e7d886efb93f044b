#include "services/loader/app.hpp"

#include "common/pg/database.hpp"
#include "common/runtime/process_main.hpp"
#include "common/runtime/stage_host.hpp"
#include "services/loader/config.hpp"
#include "services/loader/core.hpp"
#include "services/loader/pg_store.hpp"

namespace tributary::loader {

int App::Run(const config::Source& source) {
  Config config;
  std::string help;
  const auto outcome = Parse(source, &config, &help);
  if (auto status = config::EndEarly(outcome, "tributary-loader", help)) return *status;
  log::Setup(config.log);
  auto logger = log::Get("loader");

  pg::Database database(config.pg, "tributary-loader");
  if (auto connected = database.Run([](pqxx::connection& c) { return c.is_open(); },
                                    config.pg.connect_timeout);
      !connected) {
    logger->error("cannot connect to PostgreSQL: {}", connected.error().message);
    return 1;
  }
  auto& registry = metrics::Default();
  LoaderMetrics loader_metrics(registry);
  PgStore store(database, &loader_metrics.retries,
                static_cast<std::size_t>(config.copy_min_rows),
                config.ann_index == "defer" ? AnnIndex::kDefer : AnnIndex::kBuild);

  runtime::StageHost host(
      {.stage = "loader",
       .kafka = config.kafka,
       .admin = config.admin,
       .group_id = config.group_id,
       .group_instance_id = config.group_instance_id,
       .topics = {config.ItemsTopic(), config.EventsTopic()},
       .max_in_flight_per_partition = static_cast<std::size_t>(config.batch_size) * 2,
       .max_in_flight_total = static_cast<std::size_t>(config.batch_size) * 4,
       // All work happens on the poll thread, so once the loop stops nothing more can
       // complete: the grace is 0 and a batch still buffered (at most batch_linger old) is
       // abandoned unstored and redelivered to the partitions' next owner.
       .loop = {.shutdown_grace = std::chrono::milliseconds(0)}},
      registry);
  Core core({.batch_size = static_cast<std::size_t>(config.batch_size),
             .batch_linger = config.batch_linger,
             .items_topic = config.ItemsTopic(),
             .items_kind = config.embeddings ? InputKind::kEmbedded : InputKind::kItem,
             .events_topic = config.EventsTopic()},
            store, host.dead_letters(), host.completions(), loader_metrics);
  logger->info("loading {} and {} into PostgreSQL (batches of {} or {} ms)", config.ItemsTopic(),
               config.EventsTopic(), config.batch_size, config.batch_linger.count());
  return host.Run(
      {.handle = [&](kafka::Message message) { core.Add(std::move(message), Core::Clock::now()); },
       .tick =
           [&] {
             core.FlushIfDue(Core::Clock::now());
             return true;
           },
       .revoke =
           [&](const std::vector<kafka::TopicPartition>& lost) { core.DropPartitions(lost); }});
}

int App::Main(int argc, char** argv) {
  return runtime::ProcessMain(argc, argv, "tributary-loader",
                              [](const config::Source& source) { return Run(source); });
}

}  // namespace tributary::loader
