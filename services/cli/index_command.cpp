#include "services/cli/index_command.hpp"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <vector>

#include "common/config/spec.hpp"
#include "common/log/log.hpp"
#include "common/log/mask.hpp"
#include "common/pg/database.hpp"
#include "common/pg/settings.hpp"
#include "services/cli/database_session.hpp"
#include "services/cli/kafka_tools.hpp"
#include "services/cli/subcommands.hpp"

namespace tributary::cli {
namespace {

constexpr std::string_view kUsage = R"(Usage: tributary index COMMAND [flags]

The HNSW indexes of each embedding model: one partial index per model on item_embeddings (an
item's vector) and one on item_chunks (its passages' vectors).

Commands:
  list     Each model with its vector count and its index: built, missing or invalid, and size.
  build    Build the missing indexes (CREATE INDEX CONCURRENTLY: the loader keeps writing), e.g.
           after a bulk load with tributary-loader --ann-index=defer; rebuilds invalid ones.

Run `tributary index COMMAND --help` for the flags of a command.
)";

struct ModelIndex {
  int model_id = 0;
  std::string model;  // name/version
  int dims = 0;
  std::string table;  // item_embeddings or item_chunks
  std::int64_t vectors = 0;
  std::string index_name;
  std::string state;  // built, missing, invalid, not-indexable
  std::int64_t bytes = 0;
};

std::vector<ModelIndex> ReadModels(pqxx::connection& connection, std::optional<int> only) {
  pqxx::read_transaction tx(connection);
  // Per model, its item_embeddings index, then its item_chunks one.
  const auto rows = tx.exec_params(R"(
SELECT m.id, m.name || '/' || m.version, m.dims, t.name,
       CASE t.name WHEN 'item_embeddings'
            THEN (SELECT count(*) FROM item_embeddings e WHERE e.model_id = m.id)
            ELSE (SELECT count(*) FROM item_chunks c WHERE c.model_id = m.id) END,
       t.index_name,
       CASE WHEN m.dims > 4000 THEN 'not-indexable'
            WHEN i.indexrelid IS NULL THEN 'missing'
            WHEN NOT i.indisvalid THEN 'invalid'
            ELSE 'built' END,
       coalesce(pg_relation_size(i.indexrelid), 0)
  FROM embedding_models m
 CROSS JOIN LATERAL (VALUES (1, 'item_embeddings', tributary_model_index_name(m.id)),
                            (2, 'item_chunks', tributary_chunk_index_name(m.id)))
         AS t(position, name, index_name)
  LEFT JOIN pg_index i ON i.indexrelid = to_regclass(t.index_name)
 WHERE $1::int IS NULL OR m.id = $1::int
 ORDER BY m.id, t.position)",
                                   only);
  std::vector<ModelIndex> out;
  for (const auto& r : rows) {
    out.push_back({.model_id = r[0].as<int>(),
                   .model = r[1].as<std::string>(),
                   .dims = r[2].as<int>(),
                   .table = r[3].as<std::string>(),
                   .vectors = r[4].as<std::int64_t>(),
                   .index_name = r[5].as<std::string>(),
                   .state = r[6].as<std::string>(),
                   .bytes = r[7].as<std::int64_t>()});
  }
  return out;
}

nlohmann::json ToJson(const ModelIndex& m) {
  return {{"model_id", m.model_id}, {"model", m.model},       {"dims", m.dims},
          {"table", m.table},       {"vectors", m.vectors},   {"index", m.index_name},
          {"state", m.state},       {"bytes", m.bytes}};
}

std::string Megabytes(std::int64_t bytes) {
  return fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1e6);
}

struct CommonFlags {
  pg::Settings pg;
  log::Settings log;
  bool json = false;
  int model_id = 0;  // 0: every model
};

void AddCommon(config::Spec& spec, CommonFlags* flags) {
  pg::AddSettings(spec, &flags->pg);
  log::AddSettings(spec, &flags->log);
  spec.Int("model-id", &flags->model_id, 0, 1'000'000,
           "Only this model (its id in embedding_models; see `tributary index list`); 0: all.")
      .Bool("json", &flags->json, "Print JSON instead of text.");
}

std::optional<int> Only(const CommonFlags& flags) {
  return flags.model_id == 0 ? std::nullopt : std::optional<int>(flags.model_id);
}

int ListIndexes(const config::Source& source) {
  CommonFlags flags;
  config::Spec spec("tributary index list",
                    "Each embedding model's two HNSW indexes (item_embeddings, item_chunks) "
                    "with their vector counts and states: built, missing (searches scan), "
                    "invalid (a failed concurrent build; `tributary index build` rebuilds it) "
                    "or not-indexable (over 4000 dims).");
  AddCommon(spec, &flags);
  if (auto status = spec.EndEarly(spec.Parse(source))) return *status;
  log::Setup(flags.log);
  pg::Database database(flags.pg, "tributary-cli");
  if (!Connect(database, "index list")) return 1;
  const auto models = ReadModels(database.Connection(), Only(flags));
  if (flags.json) {
    auto out = nlohmann::json::array();
    for (const auto& m : models) out.push_back(ToJson(m));
    std::cout << out.dump() << "\n";
    return 0;
  }
  if (models.empty()) {
    std::cout << "no embedding models registered yet (the loader registers one with its first "
                 "vector)\n";
    return 0;
  }
  std::cout << fmt::format("{:>5}  {:<32} {:>5} {:<16} {:>10}  {:<14} {:>10}  {}\n", "model",
                           "name", "dims", "table", "vectors", "index", "size", "index name");
  for (const auto& m : models) {
    std::cout << fmt::format("{:>5}  {:<32} {:>5} {:<16} {:>10}  {:<14} {:>10}  {}\n",
                             m.model_id, m.model, m.dims, m.table, m.vectors, m.state,
                             m.state == "built" ? Megabytes(m.bytes) : "-", m.index_name);
  }
  return 0;
}

// Reports the build's phase and counts from a second session while the first one builds.
class BuildProgress {
 public:
  BuildProgress(const pg::Settings& settings, std::string table, std::string label)
      : settings_(settings),
        table_(std::move(table)),
        label_(std::move(label)),
        thread_([this] { Run(); }) {}
  BuildProgress(const BuildProgress&) = delete;
  BuildProgress& operator=(const BuildProgress&) = delete;
  ~BuildProgress() {
    done_ = true;
    thread_.join();
    progress_.Done();
  }

 private:
  void Run() {
    try {
      pg::Database database(settings_, "tributary-cli-progress");
      while (!done_) {
        pqxx::read_transaction tx(database.Connection());
        const auto rows = tx.exec_params(R"(
SELECT phase, tuples_done, tuples_total, blocks_done, blocks_total
  FROM pg_stat_progress_create_index WHERE relid = $1::regclass LIMIT 1)",
                                         table_);
        tx.commit();
        if (!rows.empty()) {
          const auto& r = rows[0];
          const auto done = r[3].as<std::int64_t>(0);
          const auto total = r[4].as<std::int64_t>(0);
          std::string counts = total > 0 ? fmt::format(", blocks {}/{}", done, total) : "";
          if (r[2].as<std::int64_t>(0) > 0) {
            counts += fmt::format(", tuples {}/{}", r[1].as<std::int64_t>(0),
                                  r[2].as<std::int64_t>(0));
          }
          progress_.Update(fmt::format("{}: {}{}", label_, r[0].c_str(), counts));
        }
        for (int i = 0; i < 10 && !done_; ++i) {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
      }
    } catch (const std::exception&) {
      // Progress is a courtesy: the build itself reports its own errors.
    }
  }

  pg::Settings settings_;
  std::string table_;
  std::string label_;
  Progress progress_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

int BuildIndexes(const config::Source& source) {
  CommonFlags flags;
  std::string maintenance_work_mem = "256MB";
  config::Spec spec("tributary index build",
                    "Builds the missing HNSW indexes of every embedding model (or of "
                    "--model-id), on item_embeddings and on item_chunks, "
                    "with CREATE INDEX CONCURRENTLY, so the loader keeps writing meanwhile; an "
                    "index left invalid by a failed concurrent build is dropped and built "
                    "again. Safe to re-run: built indexes are left alone.");
  AddCommon(spec, &flags);
  spec.String("maintenance-work-mem", &maintenance_work_mem,
              "maintenance_work_mem of the building session; the build is much faster when the "
              "graph fits in it.");
  if (auto status = spec.EndEarly(spec.Parse(source))) return *status;
  log::Setup(flags.log);
  // CREATE INDEX CONCURRENTLY may take long: no statement timeout on this session.
  flags.pg.statement_timeout = std::chrono::milliseconds(0);
  pg::Database database(flags.pg, "tributary-cli");
  if (!Connect(database, "index build")) return 1;
  auto& connection = database.Connection();
  const auto models = ReadModels(connection, Only(flags));
  if (Only(flags) && models.empty()) {
    std::cerr << fmt::format("tributary index build: no embedding model with id {} (see "
                             "`tributary index list`)\n",
                             flags.model_id);
    return 2;
  }
  {
    pqxx::nontransaction tx(connection);
    tx.exec0("SET maintenance_work_mem = " + tx.quote(maintenance_work_mem));
  }
  auto results = nlohmann::json::array();
  int failures = 0;
  for (const auto& m : models) {
    auto result = ToJson(m);
    if (m.state == "built" || m.state == "not-indexable") {
      result["action"] = m.state == "built" ? "none" : "skipped";
      if (!flags.json) {
        std::cout << fmt::format("model {} ({}), {}: {}\n", m.model_id, m.model, m.table,
                                 m.state == "built" ? "index already built"
                                                    : "over 4000 dims, searches scan");
      }
      results.push_back(result);
      continue;
    }
    const auto started = std::chrono::steady_clock::now();
    try {
      pqxx::nontransaction tx(connection);
      if (m.state == "invalid") {
        tx.exec0("DROP INDEX CONCURRENTLY IF EXISTS " + tx.quote_name(m.index_name));
      }
      const auto ddl =
          tx.exec_params1(m.table == "item_chunks"
                              ? "SELECT tributary_chunk_index_ddl($1, true)"
                              : "SELECT tributary_model_index_ddl($1, true)",
                          m.model_id)[0]
              .as<std::string>();
      BuildProgress progress(flags.pg, m.table,
                             fmt::format("model {}, {} ({} vectors)", m.model_id, m.table,
                                         m.vectors));
      tx.exec0(ddl);
    } catch (const std::exception& e) {
      ++failures;
      result["action"] = "failed";
      result["error"] = log::Mask(e.what());
      std::cerr << fmt::format("tributary index build: model {} ({}), {}: {}\n", m.model_id,
                               m.model, m.table, log::Mask(e.what()));
      results.push_back(result);
      continue;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    ModelIndex after = m;
    for (const auto& now : ReadModels(connection, m.model_id)) {
      if (now.table == m.table) after = now;
    }
    result = ToJson(after);
    result["action"] = m.state == "invalid" ? "rebuilt" : "built";
    result["seconds"] = seconds;
    if (!flags.json) {
      std::cout << fmt::format("model {} ({}): {} {} over {} vectors in {:.1f} s ({})\n",
                               m.model_id, m.model, result["action"].get<std::string>(),
                               m.index_name, m.vectors, seconds, Megabytes(after.bytes));
    }
    results.push_back(result);
  }
  if (flags.json) std::cout << results.dump() << "\n";
  if (!flags.json && models.empty()) {
    std::cout << "no embedding models registered yet: nothing to build\n";
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace

int IndexCommand(const config::Source& source) {
  return RunSubcommand(source, "tributary index", kUsage,
                       {{"list", ListIndexes}, {"build", BuildIndexes}});
}

}  // namespace tributary::cli
