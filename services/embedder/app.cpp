#include "services/embedder/app.hpp"

#include <memory>

#include "common/base/clock.hpp"
#include "common/pg/database.hpp"
#include "common/runtime/process_main.hpp"
#include "common/runtime/stage_host.hpp"
#include "services/embedder/config.hpp"
#include "services/embedder/core.hpp"
#include "services/embedder/local_backend.hpp"
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
  if (const auto* local = dynamic_cast<const LocalBackend*>(backend.get())) {
    logger->info("local model {} ({} dims) from {}: matrix products in {}",
                 local->Model().name, local->Model().dims, config.embedding.model_dir,
                 local::PrecisionLabel(local->precision()));
  }

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

  // Enough in flight to keep every worker busy with a full batch and the next one assembling;
  // beyond that the consumer pauses its partitions (this is also how consumption pauses while
  // the backend is down: the workers wait, nothing completes, the limit is reached).
  const auto in_flight = static_cast<std::size_t>(config.batch_size) *
                         static_cast<std::size_t>(config.concurrency + 2);
  runtime::StageHost host({.stage = "embedder",
                           .kafka = config.kafka,
                           .admin = config.admin,
                           .group_id = config.group_id,
                           .group_instance_id = config.group_instance_id,
                           .topics = {config.ItemsTopic()},
                           .max_in_flight_per_partition = in_flight,
                           .max_in_flight_total = in_flight,
                           .loop = {.shutdown_grace = config.shutdown_grace}},
                          registry);
  Core core(config.Core(), *backend, store.get(), host.sink(), host.dead_letters(),
            host.completions(), stage_metrics, SteadyClock::Instance());
  if (auto verified = core.VerifyModel(); !verified) {
    logger->critical("{}", verified.error().message);
    return 1;
  }
  core.Start();
  const auto& model = config.embedding;
  logger->info("embedding {} into {} with {} model {}/{} ({} dims, batches of {}, {} in flight); "
               "admin on port {}",
               config.ItemsTopic(), config.EmbeddedTopic(), model.backend, model.model,
               model.model_version, model.dims, config.batch_size, config.concurrency,
               host.admin_port());
  const int status = host.Run(
      {.handle = [&](kafka::Message message) { core.Add(std::move(message)); },
       .tick = [&] { return core.Tick(); },
       .revoke = [&](const std::vector<kafka::TopicPartition>& lost) { core.DropPartitions(lost); },
       .stop = [&] { core.Stop(); }},
      keep_running);
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
