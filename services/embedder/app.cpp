#include "services/embedder/app.hpp"

#include <iostream>
#include <memory>

#include "common/base/clock.hpp"
#include "common/base/shutdown.hpp"
#include "common/kafka/producer.hpp"
#include "common/log/mask.hpp"
#include "common/pg/database.hpp"
#include "common/runtime/consume_loop.hpp"
#include "common/runtime/process_main.hpp"
#include "common/runtime/stop_stage.hpp"
#include "services/embedder/config.hpp"
#include "services/embedder/core.hpp"
#include "services/embedder/hash_backend.hpp"
#include "common/runtime/kafka_stage_ports.hpp"
#include "services/embedder/openai_backend.hpp"
#include "services/embedder/pg_vector_store.hpp"

namespace tributary::embedder {

int App::Run(const config::Source& source, const std::function<bool()>& keep_running) {
  Config config;
  std::string help;
  const auto outcome = Parse(source, &config, &help);
  if (auto status = config::EndEarly(outcome, "tributary-embedder", help)) return *status;
  log::Setup(config.log);
  auto logger = log::Get("embedder");
  auto& registry = metrics::Default();
  StageMetrics stage_metrics(registry);

  const auto backend = MakeBackend(config.embedding);

  std::unique_ptr<pg::Database> database;
  std::unique_ptr<PgVectorStore> store;
  if (config.pg_cache) {
    database = std::make_unique<pg::Database>(config.pg, "tributary-embedder");
    if (auto connected = database->Run([](pqxx::connection& c) { return c.is_open(); },
                                       config.pg.connect_timeout);
        !connected) {
      logger->error("cannot connect to PostgreSQL for the vector cache: {} (or run with "
                    "--pg-cache=false)",
                    connected.error().message);
      return 1;
    }
    store = std::make_unique<PgVectorStore>(*database, config.pg_cache_timeout);
  }

  // Members in dependency order; the consumer is created last and closed first.
  admin::AdminServer admin(config.admin, registry);
  admin.Start();
  kafka::Producer producer(config.kafka, "embedder", registry);
  kafka::DlqPublisher publisher(producer, config.kafka, "embedder");
  runtime::ProducerSink sink(producer);
  runtime::KafkaDeadLetters dead_letters(publisher);
  // Enough in flight to keep every worker busy with a full batch and the next one assembling;
  // beyond that the consumer pauses its partitions (this is also how consumption pauses while
  // the backend is down: the workers wait, nothing completes, the limit is reached).
  const auto in_flight =
      static_cast<std::size_t>(config.batch_size) * static_cast<std::size_t>(config.concurrency + 2);
  kafka::Consumer consumer(config.kafka,
                           {.stage = "embedder",
                            .group_id = config.group_id,
                            .group_instance_id = config.group_instance_id,
                            .topics = {config.ItemsTopic()},
                            .max_in_flight_per_partition = in_flight,
                            .max_in_flight_total = in_flight},
                           registry);
  runtime::ConsumerCompletions completions(consumer);
  Core core(config.Core(), *backend, store.get(), sink, dead_letters, completions, stage_metrics,
            SteadyClock::Instance());
  if (auto verified = core.VerifyModel(); !verified) {
    logger->critical("{}", verified.error().message);
    return 1;
  }
  consumer.OnRevoke(
      [&](const std::vector<kafka::TopicPartition>& lost) { core.DropPartitions(lost); });
  core.Start();
  logger->info("embedding {} into {} with {} model {}/{} ({} dims, batches of {}, {} in flight); "
               "admin on port {}",
               config.ItemsTopic(), config.EmbeddedTopic(), config.embedding.backend,
               config.embedding.model, config.embedding.model_version, config.embedding.dims, config.batch_size, config.concurrency,
               admin.port());

  runtime::RunConsumeLoop(
      consumer, [&](kafka::Message message) { core.Add(std::move(message)); }, &admin,
      {.shutdown_grace = config.shutdown_grace},
      [&] { return core.Tick() && !producer.fatal() && keep_running(); });
  core.Stop();
  const int status = runtime::StopStage(producer, admin, *logger);
  if (const auto fatal = core.fatal()) {
    logger->critical("stopped: {}", *fatal);
    return 1;
  }
  return status;
}

int App::Main(int argc, char** argv) {
  return runtime::ProcessMain(argc, argv, "tributary-embedder",
                              [](const config::Source& source) { return Run(source); });
}

}  // namespace tributary::embedder
