#include "services/loader/app.hpp"

#include <iostream>

#include "common/base/shutdown.hpp"
#include "common/kafka/producer.hpp"
#include "common/log/mask.hpp"
#include "common/pg/database.hpp"
#include "common/runtime/consume_loop.hpp"
#include "common/runtime/process_main.hpp"
#include "common/runtime/stop_stage.hpp"
#include "services/loader/config.hpp"
#include "services/loader/core.hpp"
#include "common/runtime/kafka_stage_ports.hpp"
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

  // Members in dependency order; the consumer is created last and closed first.
  admin::AdminServer admin(config.admin, registry);
  admin.Start();
  kafka::Producer producer(config.kafka, "loader", registry);
  kafka::DlqPublisher publisher(producer, config.kafka, "loader");
  runtime::KafkaDeadLetters dead_letters(publisher);
  kafka::Consumer consumer(config.kafka,
                           {.stage = "loader",
                            .group_id = config.group_id,
                            .group_instance_id = config.group_instance_id,
                            .topics = {config.ItemsTopic(), config.EventsTopic()},
                            .max_in_flight_per_partition =
                                static_cast<std::size_t>(config.batch_size) * 2,
                            .max_in_flight_total =
                                static_cast<std::size_t>(config.batch_size) * 4},
                           registry);
  runtime::ConsumerCompletions completions(consumer);
  Core core({.batch_size = static_cast<std::size_t>(config.batch_size),
             .batch_linger = config.batch_linger,
             .items_topic = config.ItemsTopic(),
             .items_kind = config.embeddings ? InputKind::kEmbedded : InputKind::kItem,
             .events_topic = config.EventsTopic()},
            store, dead_letters, completions, loader_metrics);
  consumer.OnRevoke([&](const std::vector<kafka::TopicPartition>& lost) {
    core.DropPartitions(lost);
  });
  logger->info("loading {} and {} into PostgreSQL (batches of {} or {} ms)", config.ItemsTopic(),
               config.EventsTopic(), config.batch_size, config.batch_linger.count());

  // All work happens on this (the poll) thread, so once the loop stops nothing more can
  // complete: the grace is 0 and a batch still buffered (at most batch_linger old) is
  // abandoned unstored and redelivered to the partitions' next owner.
  runtime::RunConsumeLoop(
      consumer,
      [&](kafka::Message message) {
        core.Add(std::move(message), Core::Clock::now());
      },
      &admin, {.shutdown_grace = std::chrono::milliseconds(0)},
      [&] {
        core.FlushIfDue(Core::Clock::now());
        return !producer.fatal();
      });
  return runtime::StopStage(producer, admin, *logger);
}

int App::Main(int argc, char** argv) {
  return runtime::ProcessMain(argc, argv, "tributary-loader",
                              [](const config::Source& source) { return Run(source); });
}

}  // namespace tributary::loader
