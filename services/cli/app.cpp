#include "services/cli/app.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iostream>

#include "common/base/shutdown.hpp"
#include "common/config/spec.hpp"
#include "common/log/log.hpp"
#include "common/log/mask.hpp"
#include "common/pg/database.hpp"
#include "services/cli/decode_command.hpp"
#include "services/cli/dlq_command.hpp"
#include "services/cli/enqueue_command.hpp"
#include "services/cli/index_command.hpp"
#include "migrations/migrator.hpp"
#include "services/cli/embed_command.hpp"
#include "services/cli/parse_command.hpp"
#include "services/cli/replay_command.hpp"
#include "services/cli/reembed_command.hpp"
#include "services/cli/search_command.hpp"
#include "services/cli/sources_command.hpp"
#include "services/cli/status_command.hpp"

#ifndef TRIBUTARY_VERSION
#define TRIBUTARY_VERSION "dev"
#endif

namespace tributary::cli {
namespace {

constexpr std::string_view kUsage = R"(Usage: tributary COMMAND [flags]

tributary turns web sources into clean, deduplicated, embedded rows in PostgreSQL.

Commands:
  migrate    Apply the database migrations that are missing (safe to run concurrently).
  parse      Parse a feed, sitemap or page offline and print the result as JSON.
  sources    Register and manage sources: add, import-opml, list, show, disable, enable.
  enqueue    Fetch registered sources now, outside their schedule.
  decode     Print a topic's records as JSON lines, values decoded (tributary decode items).
  dlq        Dead-lettered records: list them, redrive them to their original topics.
  replay     Move a consumer group's offsets (to a time, an offset, earliest or latest).
  status     Lag per stage and partition, DLQ depth, source health, error rates, row counts.
  search     Nearest items to a text query, from pgvector (tributary search "text").
  embed      Print the vector of a text as the embedder computes it (tributary embed "text").
  index      The HNSW index of each embedding model: list them, build the missing ones.
  reembed    Backfill passages and vectors: send stored items back through the embedder.
  version    Print the version.
  help       Show this help.

Run `tributary COMMAND --help` for the flags of a command.
)";

int Migrate(const config::Source& source) {
  pg::Settings pg_settings;
  log::Settings log_settings;
  std::string migrations_dir;
  bool json = false;
  config::Spec spec("tributary migrate",
                    "Applies the schema migrations that are missing, each in its own transaction, "
                    "under an advisory lock. A no-op when the database is up to date.");
  pg::AddSettings(spec, &pg_settings);
  log::AddSettings(spec, &log_settings);
  spec.String("migrations-dir", &migrations_dir,
              "Read migrations from this directory instead of the ones built in.")
      .Bool("json", &json, "Print the result as JSON.");
  if (auto status = spec.EndEarly(spec.Parse(source))) return *status;
  log::Setup(log_settings);
  const auto migrations =
      migrations_dir.empty() ? migrations::MigrationsFromEmbedded()
                             : migrations::MigrationsFromDirectory(migrations_dir);
  pg::Database database(pg_settings, "tributary-migrate");
  // Only the connection is retried: a failing migration is a bug to read, not to repeat.
  auto connected = database.Run([](pqxx::connection& c) { return c.is_open(); },
                                pg_settings.connect_timeout);
  if (!connected) {
    std::cerr << "tributary migrate: cannot connect to PostgreSQL: " << connected.error().message
              << "\n";
    return 1;
  }
  const auto report = migrations::ApplyMigrations(database.Connection(), migrations);
  if (!report) {
    std::cerr << "tributary migrate: " << report.error().message << "\n";
    return 1;
  }
  if (json) {
    std::string applied;
    for (const auto& name : report->applied) {
      applied += fmt::format("{}\"{}\"", applied.empty() ? "" : ",", name);
    }
    std::cout << fmt::format(R"({{"applied":[{}],"already_applied":{}}})", applied,
                             report->already_applied)
              << "\n";
  } else if (report->applied.empty()) {
    std::cout << fmt::format("database is up to date ({} migrations)\n", report->already_applied);
  } else {
    std::cout << fmt::format("applied {} migration(s): {}; {} were already applied\n",
                             report->applied.size(), fmt::join(report->applied, ", "),
                             report->already_applied);
  }
  return 0;
}

}  // namespace

int App::Run(const config::Source& source) {
  if (source.args.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string command = source.args.front();
  config::Source rest = source;
  rest.args.erase(rest.args.begin());
  if (command == "help" || command == "--help" || command == "-h") {
    std::cout << kUsage;
    return 0;
  }
  if (command == "version" || command == "--version") {
    std::cout << "tributary " << TRIBUTARY_VERSION << "\n";
    return 0;
  }
  if (command == "migrate") return Migrate(rest);
  if (command == "parse") return ParseCommand(rest);
  if (command == "sources") return SourcesCommand(rest);
  if (command == "enqueue") return EnqueueCommand(rest);
  if (command == "decode") return DecodeCommand(rest);
  if (command == "dlq") return DlqCommand(rest);
  if (command == "replay") return ReplayCommand(rest);
  if (command == "status") return StatusCommand(rest);
  if (command == "search") return SearchCommand(rest);
  if (command == "embed") return EmbedCommand(rest);
  if (command == "index") return IndexCommand(rest);
  if (command == "reembed") return ReembedCommand(rest);
  std::cerr << "tributary: unknown command '" << command << "'\n\n" << kUsage;
  return 2;
}

int App::Main(int argc, char** argv) {
  Shutdown::InstallSignalHandlers();
  try {
    return Run(config::Source::FromProcess(argc, argv));
  } catch (const config::ConfigError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "tributary: " << log::Mask(e.what()) << "\n";
    return 1;
  }
}

}  // namespace tributary::cli
