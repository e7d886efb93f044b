#include "services/cli/enqueue_command.hpp"

#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "common/codec/politeness_key.hpp"
#include "common/codec/topics.hpp"
#include "common/config/spec.hpp"
#include "common/kafka/producer.hpp"
#include "common/log/log.hpp"
#include "common/pg/database.hpp"
#include "services/cli/database_session.hpp"
#include "services/cli/source_ref.hpp"
#include "services/scheduler/request_builder.hpp"

namespace tributary::cli {

int EnqueueCommand(const config::Source& source) {
  pg::Settings pg_settings;
  kafka::Settings kafka_settings;
  log::Settings log_settings;
  bool json = false;
  std::string politeness_scope = "host";
  std::vector<std::string> refs;
  config::Spec spec("tributary enqueue",
                    "Produces a FetchRequest for each named source to <prefix>.fetch.requests "
                    "now (with its validators and options), and waits for the broker's "
                    "acknowledgement. Disabled sources are refused.");
  pg::AddSettings(spec, &pg_settings);
  kafka::AddSettings(spec, &kafka_settings);
  log::AddSettings(spec, &log_settings);
  codec::AddPolitenessScope(spec, &politeness_scope);
  spec.Bool("json", &json, "Print JSON instead of text.")
      .Positional("ID|URL", &refs, "Registered sources, by id or URL.");
  if (auto status = spec.EndEarly(spec.Parse(source))) return *status;
  log::Setup(log_settings);
  if (refs.empty()) {
    std::cerr << "tributary enqueue: expected at least one source ID or URL\n";
    return 2;
  }
  pg::Database database(pg_settings, "tributary-cli");
  if (!Connect(database, "enqueue")) return 1;
  std::vector<scheduler::DueSource> sources;
  std::int64_t now = 0;
  int problems = 0;
  {
    pqxx::read_transaction tx(database.Connection());
    now = tx.exec1("SELECT extract(epoch FROM now())::bigint")[0].as<std::int64_t>();
    for (const auto& ref : refs) {
      const auto rows = tx.exec(
          "SELECT id, url, kind, coalesce(etag, ''), coalesce(last_modified, ''), config::text, "
          "enabled FROM sources WHERE " +
          SourceWhere(tx, ref));
      if (rows.empty()) {
        std::cerr << "tributary enqueue: no source " << ref
                  << " (register it with `tributary sources add`)\n";
        ++problems;
        continue;
      }
      const auto& r = rows[0];
      if (!r[6].as<bool>()) {
        std::cerr << "tributary enqueue: source " << ref
                  << " is disabled (`tributary sources enable` it first)\n";
        ++problems;
        continue;
      }
      sources.push_back({.id = r[0].as<std::int64_t>(),
                         .url = r[1].c_str(),
                         .kind = r[2].c_str(),
                         .etag = r[3].c_str(),
                         .last_modified = r[4].c_str(),
                         .config_json = r[5].c_str()});
    }
  }
  kafka::Producer producer(kafka_settings, "cli");
  nlohmann::json out = nlohmann::json::array();
  const auto topic = kafka_settings.Topic(topics::kFetchRequests);
  for (const auto& s : sources) {
    std::vector<std::string> warnings;
    const auto request_id = scheduler::NewRequestId();
    const auto request = scheduler::BuildRequest(s, request_id, now, &warnings);
    for (const auto& w : warnings) std::cerr << "source " << s.id << ": " << w << " (ignored)\n";
    const auto scope =
        codec::ParsePolitenessScope(politeness_scope).value_or(codec::PolitenessScope::kHost);
    auto sent = producer.ProduceAndWait(scheduler::RequestRecord(topic, request, scope),
                                        std::chrono::seconds(30));
    if (!sent) {
      std::cerr << "tributary enqueue: source " << s.id << ": " << sent.error().message << "\n";
      ++problems;
      continue;
    }
    out.push_back({{"source_id", s.id}, {"url", request.url()}, {"request_id", request_id}});
    if (!json) {
      std::cout << fmt::format("enqueued source {} ({}) as request {}\n", s.id, request.url(),
                               request_id);
    }
  }
  if (json) std::cout << out.dump() << "\n";
  return problems == 0 ? 0 : 1;
}

}  // namespace tributary::cli
