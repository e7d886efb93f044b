#include "services/cli/status_command.hpp"

#include <fmt/format.h>

#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>

#include "common/codec/topics.hpp"
#include "common/config/spec.hpp"
#include "common/kafka/settings.hpp"
#include "common/log/log.hpp"
#include "common/log/mask.hpp"
#include "common/pg/database.hpp"
#include "services/cli/database_session.hpp"
#include "services/cli/kafka_tools.hpp"
#include "services/cli/message_json.hpp"
#include "services/cli/slo_check.hpp"

namespace tributary::cli {
namespace {

// The topics a stage's group reads (DESIGN §1), recognised by the group name's ending so
// custom names like "eu-tributary-loader" work too.
std::vector<std::string> InputsOf(const std::string& group) {
  using namespace topics;
  if (group.ends_with("fetcher")) return {std::string(kFetchRequests)};
  if (group.ends_with("parser")) return {std::string(kDocuments)};
  if (group.ends_with("embedder")) return {std::string(kItems)};
  if (group.ends_with("loader")) return {std::string(kEmbedded), std::string(kSourceEvents)};
  return {};
}

nlohmann::json GroupStatus(const kafka::Settings& settings, const std::string& group) {
  KafkaClient client(settings);
  const auto info = DescribeGroup(client, group);
  const auto committed = GroupOffsets(client, group);
  // What the group has committed under this prefix, plus its inputs it has not committed yet
  // (a new group starts at the earliest record: all of it is lag).
  std::map<kafka::TopicPartition, std::optional<std::int64_t>> positions;
  const auto prefix = settings.Topic("");
  for (const auto& [tp, offset] : committed) {
    if (tp.topic.starts_with(prefix)) positions[tp] = offset;
  }
  const auto topics = client.Topics();
  for (const auto& input : InputsOf(group)) {
    const auto topic = settings.Topic(input);
    if (std::find(topics.begin(), topics.end(), topic) == topics.end()) continue;
    for (auto p : client.Partitions(topic)) positions.try_emplace({topic, p}, std::nullopt);
  }
  nlohmann::json partitions = nlohmann::json::array();
  std::int64_t total = 0;
  for (const auto& [tp, offset] : positions) {
    const auto w = client.QueryWatermarks(tp.topic, tp.partition);
    const auto lag = std::max<std::int64_t>(0, w.high - std::max(offset.value_or(w.low), w.low));
    total += lag;
    partitions.push_back({{"topic", tp.topic},
                          {"partition", tp.partition},
                          {"committed", offset ? nlohmann::json(*offset) : nlohmann::json()},
                          {"high", w.high},
                          {"lag", lag}});
  }
  return {{"group", group},         {"state", info.state}, {"members", info.members},
          {"lag", total},           {"partitions", partitions}};
}

nlohmann::json DlqDepth(const kafka::Settings& settings) {
  KafkaClient client(settings);
  const auto prefix = settings.Topic("dlq.");
  nlohmann::json out = nlohmann::json::array();
  for (const auto& topic : client.Topics()) {
    if (!topic.starts_with(prefix)) continue;
    std::int64_t depth = 0;
    for (auto p : client.Partitions(topic)) {
      const auto w = client.QueryWatermarks(topic, p);
      depth += w.high - w.low;
    }
    out.push_back({{"stage", topic.substr(prefix.size())}, {"topic", topic}, {"depth", depth}});
  }
  return out;
}

nlohmann::json Number(const pqxx::field& f) {
  if (f.is_null()) return nullptr;
  return f.as<double>();
}

// `failing_for`: how long a failing source must have gone without a success (one that never
// succeeded: since it was added) to count in sources.failing_long.
void DatabaseStatus(pqxx::connection& connection, std::chrono::milliseconds failing_for,
                    nlohmann::json* out) {
  pqxx::read_transaction tx(connection);
  const auto s = tx.exec1(
      "SELECT count(*), count(*) FILTER (WHERE enabled), "
      "count(*) FILTER (WHERE enabled AND consecutive_failures > 0), "
      "count(*) FILTER (WHERE last_fetched_at IS NULL), count(*) FILTER (WHERE stale) "
      "FROM dq_source_freshness");
  // Fresh by the SLO's measure (migration 0019): the complement of the scheduler's
  // tributary_scheduler_stale_sources.
  const auto f = tx.exec_params1(
      "SELECT count(*) FILTER (WHERE tributary_source_fresh(s)), "
      "       count(*) FILTER (WHERE consecutive_failures > 0 AND "
      "         coalesce(last_success_at, created_at) < now() - $1 * interval '1 millisecond') "
      "FROM sources s WHERE enabled",
      static_cast<std::int64_t>(failing_for.count()));
  (*out)["sources"] = {{"total", s[0].as<std::int64_t>()},
                       {"enabled", s[1].as<std::int64_t>()},
                       {"failing", s[2].as<std::int64_t>()},
                       {"never_fetched", s[3].as<std::int64_t>()},
                       {"stale", s[4].as<std::int64_t>()},
                       {"fresh", f[0].as<std::int64_t>()},
                       {"failing_long", f[1].as<std::int64_t>()},
                       {"failing_for", config::FormatDuration(failing_for)}};
  const auto e = tx.exec1(
      "SELECT coalesce(sum(fetches), 0), coalesce(sum(errors), 0), "
      "coalesce(sum(fetch_errors), 0), coalesce(sum(parse_errors), 0) FROM dq_error_rates");
  const auto fetches = e[0].as<std::int64_t>();
  const auto errors = e[1].as<std::int64_t>();
  nlohmann::json worst = nlohmann::json::array();
  for (const auto& r : tx.exec(
           "SELECT source_id, url, fetches, errors, error_rate, top_error_class "
           "FROM dq_error_rates WHERE errors > 0 ORDER BY error_rate DESC, errors DESC LIMIT 5")) {
    worst.push_back({{"source_id", r[0].is_null() ? nlohmann::json()
                                                  : nlohmann::json(r[0].as<std::int64_t>())},
                     {"url", r[1].is_null() ? nlohmann::json() : nlohmann::json(r[1].c_str())},
                     {"fetches", r[2].as<std::int64_t>()},
                     {"errors", r[3].as<std::int64_t>()},
                     {"error_rate", Number(r[4])},
                     {"top_error_class",
                      r[5].is_null() ? nlohmann::json() : nlohmann::json(r[5].c_str())}});
  }
  (*out)["errors_24h"] = {
      {"fetches", fetches},
      {"errors", errors},
      {"fetch_errors", e[2].as<std::int64_t>()},
      {"parse_errors", e[3].as<std::int64_t>()},
      {"error_rate", fetches == 0 ? 0.0 : static_cast<double>(errors) / fetches},
      {"worst_sources", worst}};
  const auto rows = tx.exec1(
      "SELECT (SELECT count(*) FROM items), (SELECT count(*) FROM stories), "
      "(SELECT count(*) FROM item_embeddings)");
  (*out)["rows"] = {{"items", rows[0].as<std::int64_t>()},
                    {"stories", rows[1].as<std::int64_t>()},
                    {"embeddings", rows[2].as<std::int64_t>()}};
}

void PrintText(const nlohmann::json& s, bool all_partitions) {
  std::cout << "Consumer lag\n";
  std::cout << fmt::format("  {:<28} {:<12} {:>7} {:>10}\n", "GROUP", "STATE", "MEMBERS", "LAG");
  for (const auto& g : s["groups"]) {
    if (g.contains("error")) {
      std::cout << fmt::format("  {:<28} error: {}\n", g["group"].get<std::string>(),
                               g["error"].get<std::string>());
      continue;
    }
    std::cout << fmt::format("  {:<28} {:<12} {:>7} {:>10}\n", g["group"].get<std::string>(),
                             g["state"].get<std::string>(), g["members"].get<std::size_t>(),
                             g["lag"].get<std::int64_t>());
    for (const auto& p : g["partitions"]) {
      if (!all_partitions && p["lag"].get<std::int64_t>() == 0) continue;
      std::cout << fmt::format(
          "    {:<34} {:>3}  committed {:>10}  end {:>10}  lag {:>8}\n",
          p["topic"].get<std::string>(), p["partition"].get<int>(),
          p["committed"].is_null() ? std::string("-")
                                   : std::to_string(p["committed"].get<std::int64_t>()),
          p["high"].get<std::int64_t>(), p["lag"].get<std::int64_t>());
    }
  }
  std::cout << "\nDead-letter topics\n";
  if (s.contains("dlq_error")) {
    std::cout << "  error: " << s["dlq_error"].get<std::string>() << "\n";
  }
  if (s["dlq"].empty()) std::cout << "  (none)\n";
  for (const auto& d : s["dlq"]) {
    std::cout << fmt::format("  {:<12} {:>8} record(s)  ({})\n", d["stage"].get<std::string>(),
                             d["depth"].get<std::int64_t>(), d["topic"].get<std::string>());
  }
  if (s.contains("database_error")) {
    std::cout << "\nDatabase\n  error: " << s["database_error"].get<std::string>() << "\n";
    return;
  }
  const auto& src = s["sources"];
  std::cout << fmt::format(
      "\nSources\n  {} total, {} enabled, {} failing, {} never fetched, {} stale\n",
      src["total"].get<std::int64_t>(), src["enabled"].get<std::int64_t>(),
      src["failing"].get<std::int64_t>(), src["never_fetched"].get<std::int64_t>(),
      src["stale"].get<std::int64_t>());
  const auto& e = s["errors_24h"];
  std::cout << fmt::format("\nFetches in the last 24 h\n  {} fetches, {} errors ({:.1f} %): {} "
                           "fetch, {} parse\n",
                           e["fetches"].get<std::int64_t>(), e["errors"].get<std::int64_t>(),
                           100.0 * e["error_rate"].get<double>(),
                           e["fetch_errors"].get<std::int64_t>(),
                           e["parse_errors"].get<std::int64_t>());
  for (const auto& w : e["worst_sources"]) {
    std::cout << fmt::format("    source {} {}: {}/{} failed, mostly {}\n",
                             w["source_id"].is_null() ? std::string("?") : w["source_id"].dump(),
                             w["url"].is_null() ? std::string("(deleted)")
                                                : w["url"].get<std::string>(),
                             w["errors"].get<std::int64_t>(), w["fetches"].get<std::int64_t>(),
                             w["top_error_class"].is_null()
                                 ? std::string("?")
                                 : w["top_error_class"].get<std::string>());
  }
  const auto& r = s["rows"];
  std::cout << fmt::format("\nRows\n  {} items, {} stories, {} embeddings\n",
                           r["items"].get<std::int64_t>(), r["stories"].get<std::int64_t>(),
                           r["embeddings"].get<std::int64_t>());
  if (!s.contains("slo_breached")) return;
  std::cout << "\nSLOs (--check)\n";
  if (s["slo_breached"].empty()) std::cout << "  every SLO holds\n";
  for (const auto& b : s["slo_breached"]) {
    std::cout << "  BREACHED " << b.get<std::string>() << "\n";
  }
}

}  // namespace

int StatusCommand(const config::Source& source) {
  kafka::Settings kafka_settings;
  pg::Settings pg_settings;
  log::Settings log_settings;
  bool json = false;
  bool all_partitions = false;
  bool check = false;
  SloThresholds slo;
  std::vector<std::string> groups = {"tributary-fetcher", "tributary-parser",
                                     "tributary-embedder", "tributary-loader"};
  config::Spec spec(
      "tributary status",
      "Shows whether the pipeline keeps up: lag per stage consumer group and partition (topics "
      "under --topic-prefix; a group's input it never committed counts whole), DLQ depth per "
      "stage, sources (enabled, failing = consecutive failures > 0, never fetched, stale per "
      "dq_source_freshness), fetch error rates over 24 h (dq_error_rates), and row counts. "
      "With --check it also judges the SLOs the Prometheus alerts watch and names each one "
      "breached. Exit code 1 when a section could not be read, else 3 when --check found an "
      "SLO breached, else 0.");
  kafka::AddSettings(spec, &kafka_settings);
  pg::AddSettings(spec, &pg_settings);
  log::AddSettings(spec, &log_settings);
  spec.List("groups", &groups,
            "Consumer groups to report (the stages' --group-id); a name ending in fetcher, "
            "parser, embedder or loader also reports that stage's inputs it never committed.")
      .Bool("all-partitions", &all_partitions,
            "Text: list every partition, not only those with lag (JSON always has all).")
      .Bool("json", &json, "Print JSON instead of text.")
      .Bool("check", &check,
            "Judge the SLOs (for cron and CI without Prometheus): lag per group, a group with "
            "lag and no member, DLQ depth, freshness, long-failing sources, fetch error rate; "
            "exit 3 naming each one breached.")
      .Int("max-lag", &slo.max_lag, std::int64_t{0}, std::numeric_limits<std::int64_t>::max(),
           "--check: most messages of lag per consumer group.")
      .Int("max-dlq", &slo.max_dlq, std::int64_t{0}, std::numeric_limits<std::int64_t>::max(),
           "--check: most records per dead-letter topic.")
      .Int("min-fresh-percent", &slo.min_fresh_percent, 0, 100,
           "--check: least share of enabled sources fetched within twice their interval (a "
           "source never fetched counts from when it was added).")
      .Int("max-error-percent", &slo.max_error_percent, 0, 100,
           "--check: most share of the last 24 h's fetches that failed (judged from 20 "
           "fetches on).")
      .Duration("failing-for", &slo.failing_for,
                "--check: a source failing without a success for longer than this breaches "
                "(one that never succeeded: since it was added).");
  if (auto status = spec.EndEarly(spec.Parse(source))) return *status;
  log::Setup(log_settings);
  bool ok = true;
  nlohmann::json status = {{"topic_prefix", kafka_settings.topic_prefix},
                           {"groups", nlohmann::json::array()},
                           {"dlq", nlohmann::json::array()}};
  for (const auto& group : groups) {
    try {
      status["groups"].push_back(GroupStatus(kafka_settings, group));
    } catch (const std::exception& e) {
      ok = false;
      status["groups"].push_back({{"group", group}, {"error", log::Mask(e.what())}});
    }
  }
  try {
    status["dlq"] = DlqDepth(kafka_settings);
  } catch (const std::exception& e) {
    ok = false;
    status["dlq_error"] = log::Mask(e.what());
  }
  pg::Database database(pg_settings, "tributary-cli");
  if (Connect(database, "status")) {
    try {
      DatabaseStatus(database.Connection(), slo.failing_for, &status);
    } catch (const std::exception& e) {
      ok = false;
      status["database_error"] = log::Mask(e.what());
    }
  } else {
    ok = false;
    status["database_error"] = "cannot connect to PostgreSQL";
  }
  std::vector<std::string> breached;
  if (check) {
    breached = BreachedSlos(status, slo);
    status["slo_breached"] = breached;
  }
  if (json) {
    std::cout << DumpLine(status) << "\n";
  } else {
    PrintText(status, all_partitions);
  }
  if (!ok) return 1;
  return breached.empty() ? 0 : 3;
}

}  // namespace tributary::cli
