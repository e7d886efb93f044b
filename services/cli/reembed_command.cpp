#include "services/cli/reembed_command.hpp"

#include <fmt/format.h>
#include <google/protobuf/util/json_util.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/codec/topics.hpp"
#include "common/config/spec.hpp"
#include "common/kafka/producer.hpp"
#include "common/log/log.hpp"
#include "common/pg/database.hpp"
#include "services/cli/database_session.hpp"
#include "services/cli/registered_model.hpp"
#include "services/cli/source_ref.hpp"
#include "tributary/v1/item.pb.h"

namespace tributary::cli {
namespace {

using Clock = std::chrono::steady_clock;

// An item as the parser made it, rebuilt from its row as protobuf JSON (field names as in
// item.proto; NULLs left out). content_hash and observed_at are the stored ones, so the loader
// finds the item unchanged and writes only what the embedder adds. An item with its article
// merged (issue 19) goes as that article (Item.article, the article's hash and request): its
// text is the page's, and the loader finds the article merged already.
constexpr const char* kItemJson = R"(jsonb_strip_nulls(jsonb_build_object(
    'source_id', i.source_id, 'external_id', i.external_id, 'url', i.url,
    'canonical_url', i.canonical_url, 'title', i.title, 'summary', i.summary,
    'content_text', i.content_text, 'authors', i.authors, 'categories', i.categories,
    'enclosures', i.enclosures, 'language', i.language,
    'published_at', to_char(i.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'updated_at', to_char(i.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'observed_at', to_char(i.observed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'content_hash', encode(coalesce(i.article_hash, i.content_hash), 'base64'),
    'request_id', CASE WHEN i.article_hash IS NULL THEN i.request_id ELSE i.article_request_id END,
    'author_details', i.author_details, 'content_html', i.content_html,
    'article', CASE WHEN i.article_hash IS NOT NULL THEN jsonb_build_object(
        'item_content_hash', encode(i.content_hash, 'base64'), 'url', i.article_url,
        'fetched_at', to_char(i.article_fetched_at AT TIME ZONE 'UTC',
                              'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')) END))::text)";

// The items a backfill sends: without the model's vector, or with text but no passage of it.
// For model 0 (not registered yet): every item.
std::string Pending(int model_id) {
  return fmt::format(R"((NOT EXISTS (SELECT 1 FROM item_embeddings e
                          WHERE e.item_id = i.id AND e.model_id = {0})
      OR (coalesce(nullif(i.content_text, ''), i.summary, '') ~ '\S'
          AND NOT EXISTS (SELECT 1 FROM item_chunks c
                           WHERE c.item_id = i.id AND c.model_id = {0}))))",
                     model_id);
}

std::string Rate(std::int64_t done, Clock::time_point since) {
  const double seconds = std::chrono::duration<double>(Clock::now() - since).count();
  return fmt::format("{:.0f}/s", seconds > 0 ? static_cast<double>(done) / seconds : 0.0);
}

}  // namespace

int ReembedCommand(const config::Source& source) {
  pg::Settings pg_settings;
  kafka::Settings kafka_settings;
  log::Settings log_settings;
  embedder::EmbeddingSettings embedding;
  std::vector<std::string> sources;
  bool all = false;
  bool dry_run = false;
  bool wait = false;
  bool json = false;
  std::int64_t limit = 0;
  int batch = 1000;
  std::chrono::milliseconds timeout = std::chrono::minutes(30);
  config::Spec spec(
      "tributary reembed",
      "Backfills passages and vectors through the fleet: sends each stored item that lacks its "
      "vector or (having text) its passages of the embedder's model (--backend, --model, "
      "--model-version, --dims; the same TRIBUTARY_* variables as tributary-embedder) to "
      "<prefix>.items, unchanged, so the running embedder embeds what is missing and the "
      "loader writes it. The items' rows are not rewritten. Prints progress to stderr.");
  pg::AddSettings(spec, &pg_settings);
  kafka::AddSettings(spec, &kafka_settings);
  log::AddSettings(spec, &log_settings);
  embedder::AddEmbeddingSettings(spec, &embedding);
  spec.List("source", &sources, "Only items of these sources (ids or feed URLs, comma-separated).")
      .Bool("all", &all,
            "Send every item (of --source), not only those missing a vector or passages: e.g. "
            "after changing --chunk-tokens. The embedder's cache still serves unchanged "
            "passages.")
      .Int("limit", &limit, std::int64_t{0}, std::int64_t{1} << 40,
           "Send at most this many items (0: no limit), oldest first.")
      .Int("batch", &batch, 1, 100'000, "Items read from PostgreSQL per query.")
      .Bool("dry-run", &dry_run, "Count the items it would send; send nothing.")
      .Bool("wait", &wait,
            "After sending, wait until none of the sent items lacks its vector or passages "
            "(needs the embedder and loader running), printing progress.")
      .Duration("timeout", &timeout, std::chrono::milliseconds(1),
                "How long --wait waits before giving up (exit 1).")
      .Bool("json", &json, "Print the summary as JSON.");
  if (auto status = spec.EndEarly(spec.Parse(source))) return *status;
  log::Setup(log_settings);
  if (const auto problems = embedder::ResolveEmbeddingSettings(&embedding); !problems.empty()) {
    for (const auto& problem : problems) std::cerr << "tributary reembed: " << problem << "\n";
    return 2;
  }

  pg::Database database(pg_settings, "tributary-cli");
  if (!Connect(database, "reembed")) return 1;
  auto& connection = database.Connection();
  std::string why;
  bool not_registered = false;
  const auto model = FindRegisteredModel(connection, embedding, &why, &not_registered);
  if (!model && !not_registered) {
    std::cerr << "tributary reembed: " << why << "\n";
    return 2;
  }
  if (!model) std::cerr << "tributary reembed: " << why << ": every item is sent\n";
  const auto pending = Pending(model ? model->id : 0);

  std::string unknown;
  const auto source_ids = SourceIds(connection, sources, &unknown);
  if (!unknown.empty()) {
    std::cerr << "tributary reembed: --source '" << unknown
              << "' is no source id or URL (see tributary sources list)\n";
    return 2;
  }
  // " AND i.source_id IN (...)" for --source
  const auto of_sources = source_ids.empty() ? "" : " AND i.source_id IN (" + source_ids + ")";
  const std::string selected = (all ? std::string("true") : pending) + of_sources;
  const auto count = [&](const std::string& where) {
    pqxx::read_transaction tx(connection);
    return tx.exec1("SELECT count(*) FROM items i WHERE " + where)[0].as<std::int64_t>();
  };
  auto total = count(selected);
  if (limit > 0) total = std::min(total, limit);
  const auto model_name = fmt::format("{} {}", embedding.model, embedding.model_version);
  if (dry_run || total == 0) {
    if (json) {
      std::cout << nlohmann::json{{"model", model_name}, {"items", total}, {"sent", 0}}.dump()
                << "\n";
    } else {
      std::cout << fmt::format("{} item(s) to send for model {}{}\n", total, model_name,
                               dry_run ? " (dry run: nothing sent)" : "");
    }
    return 0;
  }

  kafka::Producer producer(kafka_settings, "cli");
  const auto topic = kafka_settings.Topic(topics::kItems);
  std::atomic<std::int64_t> failed{0};
  std::string first_failure;
  std::mutex failure_mutex;
  std::int64_t sent = 0;
  std::int64_t after_id = 0;
  std::int64_t last_id = 0;
  const auto started = Clock::now();
  auto reported = started;
  while (sent < total) {
    pqxx::read_transaction tx(connection);
    const auto rows = tx.exec_params(
        fmt::format("SELECT i.id, {} FROM items i WHERE i.id > $1 AND {} ORDER BY i.id LIMIT $2",
                    kItemJson, selected),
        after_id, std::min<std::int64_t>(batch, total - sent));
    tx.commit();
    if (rows.empty()) break;
    for (const auto& row : rows) {
      after_id = row[0].as<std::int64_t>();
      v1::Item item;
      const auto parsed = google::protobuf::util::JsonStringToMessage(row[1].c_str(), &item);
      if (!parsed.ok()) {
        std::cerr << fmt::format("tributary reembed: item {} cannot be rebuilt ({}); skipped\n",
                                 after_id, parsed.ToString());
        ++failed;
        continue;
      }
      kafka::Record record{topic, topics::ItemKey(item), item.SerializeAsString(), {}};
      auto produced = producer.Produce(std::move(record), [&](const Result<void>& delivered) {
        if (delivered) return;
        if (failed.fetch_add(1) == 0) {
          std::lock_guard lock(failure_mutex);
          first_failure = delivered.error().message;
        }
      });
      if (!produced) {
        std::cerr << "tributary reembed: " << produced.error().message << "\n";
        return 1;
      }
      ++sent;
      last_id = after_id;
    }
    if (Clock::now() - reported > std::chrono::seconds(2)) {
      reported = Clock::now();
      std::cerr << fmt::format("reembed: sent {}/{} items ({})\n", sent, total,
                               Rate(sent, started));
    }
  }
  if (!producer.Flush(std::chrono::seconds(60))) {
    std::cerr << "tributary reembed: the broker did not acknowledge every item within 60 s\n";
    return 1;
  }
  if (failed > 0) {
    std::lock_guard lock(failure_mutex);
    std::cerr << fmt::format("tributary reembed: {} item(s) not sent{}\n", failed.load(),
                             first_failure.empty() ? "" : ": " + first_failure);
    return 1;
  }
  std::cerr << fmt::format("reembed: sent {} items to {} ({})\n", sent, topic,
                           Rate(sent, started));

  std::int64_t missing = 0;
  if (wait) {
    // The sent items still waiting for their vector or passages (with --all: those that lacked
    // them; the others are only re-checked by the embedder's cache).
    const auto waiting =
        fmt::format("{}{} AND i.id <= {}", pending, of_sources, last_id);
    const auto waiting_since = Clock::now();
    std::int64_t first = -1;
    while (true) {
      missing = count(waiting);
      if (first < 0) first = missing;
      std::cerr << fmt::format("reembed: {} of the sent items still lack a vector or passages "
                               "({} done, {})\n",
                               missing, first - missing, Rate(first - missing, waiting_since));
      if (missing == 0) break;
      if (Clock::now() - waiting_since > timeout) {
        std::cerr << fmt::format("tributary reembed: --timeout: {} item(s) still lack a vector "
                                 "or passages (is the embedder running? see tributary status)\n",
                                 missing);
        break;
      }
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
  if (json) {
    nlohmann::json out{{"model", model_name}, {"items", total}, {"sent", sent},
                       {"topic", topic}};
    if (wait) out["missing"] = missing;
    std::cout << out.dump() << "\n";
  } else {
    std::cout << fmt::format("sent {} item(s) to {} for model {}{}\n", sent, topic, model_name,
                             wait ? fmt::format("; {} still missing", missing) : "");
  }
  return missing == 0 ? 0 : 1;
}

}  // namespace tributary::cli
