#include "services/cli/search_command.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <tuple>

#include <nlohmann/json.hpp>

#include "common/config/spec.hpp"
#include "common/log/log.hpp"
#include "common/log/mask.hpp"
#include "common/pg/database.hpp"
#include "common/pg/vector_text.hpp"
#include "services/cli/database_session.hpp"
#include "services/cli/message_json.hpp"
#include "services/cli/registered_model.hpp"
#include "services/cli/source_ref.hpp"
#include "services/embedder/embedding_settings.hpp"
#include "services/embedder/text.hpp"

namespace tributary::cli {
namespace {

// Higher is closer: cosine similarity, inner product, or 1 / (1 + L2 distance).
double Similarity(const std::string& distance, double d) {
  if (distance == "l2") return 1.0 / (1.0 + d);
  if (distance == "inner_product") return -d;
  return 1.0 - d;
}

template <typename T>
nlohmann::json OrNull(const pqxx::field& field) {
  return field.is_null() ? nlohmann::json() : nlohmann::json(field.as<T>());
}

// A weight: a finite number >= 0.
std::optional<double> Weight(const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value) || value < 0) {
    return std::nullopt;
  }
  return value;
}

// --since/--until: a date or time PostgreSQL reads ("2026-12-01", "2026-12-01T08:00:00Z"), or
// a duration before now ("7d", "12h").
std::optional<std::string> TimeBound(pqxx::connection& connection, const std::string& text) {
  if (text.empty()) return std::nullopt;
  pqxx::read_transaction tx(connection);
  try {
    const auto ago = config::ParseDuration(text);
    return tx.exec_params1("SELECT (now() - make_interval(secs => $1::double precision / 1000))"
                           "::text",
                           static_cast<double>(ago.count()))[0]
        .as<std::string>();
  } catch (const std::exception&) {
    // Not a duration: a date or time, checked by PostgreSQL below.
  }
  return tx.exec_params1("SELECT $1::timestamptz::text", text)[0].as<std::string>();
}

}  // namespace

int SearchCommand(const config::Source& source) {
  pg::Settings pg_settings;
  log::Settings log_settings;
  embedder::EmbeddingSettings embedding;
  bool json = false;
  int limit = 10;
  std::string mode = "hybrid";
  std::vector<std::string> sources;
  std::vector<std::string> languages;
  std::string since;
  std::string until;
  int rrf_k = 60;
  std::string vector_weight = "1";
  std::string text_weight = "1";
  int candidates = 100;
  std::vector<std::string> words;
  config::Spec spec(
      "tributary search",
      "Searches the stored items with tributary_search() (migrations/0012): hybrid by default, "
      "the reciprocal rank fusion of the items nearest to the query's vector (their nearest "
      "passage, item_chunks, through the model's HNSW index) and of the full-text ranking "
      "(the query in web-search syntax: every word, \"a phrase\", or, -word; matched in the "
      "items' languages). The query is embedded with the embedder's settings (--backend, "
      "--model, --model-version, --dims, --openai-*; same TRIBUTARY_* variables); --mode text "
      "needs no model. Prints each item with its score, title, url, source and best passage.");
  pg::AddSettings(spec, &pg_settings);
  log::AddSettings(spec, &log_settings);
  embedder::AddEmbeddingSettings(spec, &embedding);
  spec.Int("limit", &limit, 1, 1000, "How many items to print.")
      .Choice("mode", &mode, {"hybrid", "vector", "text"},
              "hybrid: both rankings fused; vector: by meaning only; text: by words only.")
      .List("source", &sources, "Only items of these sources (ids or feed URLs, comma-separated).")
      .List("lang", &languages,
            "Only items in these languages (primary subtags: en matches en-GB), comma-separated; "
            "the text query is then read in their configurations only.")
      .String("since", &since,
              "Only items published (else first seen) at or after this: a date/time "
              "(2026-12-01, 2026-12-01T08:00:00Z) or a duration before now (7d, 12h).")
      .String("until", &until, "Only items published (else first seen) before this (as --since).")
      .Int("rrf-k", &rrf_k, 1, 100'000,
           "Reciprocal rank fusion constant: score = weight / (k + rank) per ranking; a larger k "
           "flattens the difference between the top ranks.")
      .String("vector-weight", &vector_weight, "Weight of the vector ranking in hybrid mode.")
      .String("text-weight", &text_weight, "Weight of the full-text ranking in hybrid mode.")
      .Int("candidates", &candidates, 1, 100'000,
           "Items each ranking contributes before fusion (and passages read from the index).")
      .Bool("json", &json, "Print JSON instead of text.")
      .Positional("TEXT", &words, "The query; several words are joined by spaces.");
  if (auto status = spec.EndEarly(spec.Parse(source))) return *status;
  log::Setup(log_settings);
  std::string query;
  for (const auto& w : words) query += (query.empty() ? "" : " ") + w;
  query = embedder::NormalizeWhitespace(query);
  if (query.empty()) {
    std::cerr << "tributary search: expected the query TEXT, e.g. tributary search \"rust "
                 "async runtime\"\n";
    return 2;
  }
  const auto vector_weight_value = Weight(vector_weight);
  const auto text_weight_value = Weight(text_weight);
  if (!vector_weight_value || !text_weight_value) {
    std::cerr << "tributary search: --vector-weight and --text-weight must be numbers >= 0\n";
    return 2;
  }
  const bool use_vectors = mode != "text";
  if (use_vectors) {
    if (const auto problems = embedder::ResolveEmbeddingSettings(&embedding);
        !problems.empty()) {
      for (const auto& problem : problems) std::cerr << "tributary search: " << problem << "\n";
      return 2;
    }
  }

  pg::Database database(pg_settings, "tributary-cli");
  if (!Connect(database, "search")) return 1;
  auto& connection = database.Connection();
  std::optional<std::string> since_value;
  std::optional<std::string> until_value;
  for (auto [flag, text, value] : {std::tuple{"--since", &since, &since_value},
                                   std::tuple{"--until", &until, &until_value}}) {
    try {
      *value = TimeBound(connection, *text);
    } catch (const std::exception&) {
      std::cerr << fmt::format("tributary search: {} '{}' is neither a date/time (2026-12-01, "
                               "2026-12-01T08:00:00Z) nor a duration (7d, 12h)\n",
                               flag, *text);
      return 2;
    }
  }
  std::string unknown;
  const auto source_ids = SourceIds(connection, sources, &unknown);
  if (!unknown.empty()) {
    std::cerr << fmt::format("tributary search: --source '{}' is no source id or URL (see "
                             "tributary sources list)\n",
                             unknown);
    return 2;
  }

  std::optional<RegisteredModel> model;
  std::optional<std::string> query_vector;
  if (use_vectors) {
    std::string why;
    bool not_registered = false;
    model = FindRegisteredModel(connection, embedding, &why, &not_registered);
    if (!model) {
      std::cerr << "tributary search: " << why
                << (not_registered ? ". Run the embedder and loader with it, pick "
                                     "--model/--model-version/--dims of a registered one, or "
                                     "search with --mode text."
                                   : "")
                << "\n";
      return 1;
    }
    const auto backend = embedder::MakeBackend(embedding);
    const embedder::TextLimits limits;
    auto embedded = backend->Embed({std::string(embedder::TruncateUtf8(query, limits))});
    if (!embedded) {
      std::cerr << "tributary search: the embedding backend failed ("
                << embedded.error().error_class
                << "): " << log::Mask(embedded.error().message) << "\n";
      return 1;
    }
    if (embedded->vectors.size() != 1 ||
        embedded->vectors[0].size() != static_cast<std::size_t>(model->dims)) {
      std::cerr << "tributary search: the backend answered with a vector of another size\n";
      return 1;
    }
    query_vector = pg::VectorText(embedded->vectors[0]);
  }

  nlohmann::json results = nlohmann::json::array();
  {
    pqxx::work tx(connection);
    const auto rows = tx.exec_params(
        R"(SELECT r.item_id, r.score, r.vector_rank, r.text_rank, r.distance, r.text_score,
                  r.chunk, i.title, i.url, i.source_id, s.name, s.url, i.published_at,
                  CASE WHEN r.chunk IS NOT NULL
                       THEN substr(coalesce(nullif(i.content_text, ''), i.summary),
                                   r.char_begin + 1, r.char_end - r.char_begin)
                       ELSE left(coalesce(nullif(i.content_text, ''), i.summary, ''), 300) END
             FROM tributary_search($1, $2::vector, $3, $4, $5,
                                   string_to_array($6, ',')::bigint[], $7::timestamptz,
                                   $8::timestamptz, string_to_array($9, ','), $10, $11, $12,
                                   $13) r
             JOIN items i ON i.id = r.item_id JOIN sources s ON s.id = i.source_id
            ORDER BY r.score DESC, r.item_id)",
        query, query_vector, model ? std::optional<int>(model->id) : std::nullopt, mode, limit,
        source_ids.empty() ? std::nullopt : std::optional<std::string>(source_ids),
        since_value, until_value,
        languages.empty() ? std::nullopt : std::optional<std::string>(fmt::format(
                                               "{}", fmt::join(languages, ","))),
        rrf_k, *vector_weight_value, *text_weight_value, candidates);
    for (const auto& r : rows) {
      nlohmann::json result = {
          {"item_id", r[0].as<std::int64_t>()},
          {"score", r[1].as<double>()},
          {"vector_rank", OrNull<std::int64_t>(r[2])},
          {"text_rank", OrNull<std::int64_t>(r[3])},
          {"distance", OrNull<double>(r[4])},
          {"similarity", r[4].is_null() || !model
                             ? nlohmann::json()
                             : nlohmann::json(Similarity(model->distance, r[4].as<double>()))},
          {"text_score", OrNull<double>(r[5])},
          {"chunk", OrNull<int>(r[6])},
          {"title", r[7].is_null() ? "" : r[7].c_str()},
          {"url", r[8].is_null() ? "" : r[8].c_str()},
          {"source_id", r[9].as<std::int64_t>()},
          {"source", r[10].is_null() ? r[11].c_str() : r[10].c_str()},
          {"published_at", OrNull<std::string>(r[12])},
          {"passage", r[13].is_null() ? "" : embedder::NormalizeWhitespace(r[13].c_str())}};
      results.push_back(std::move(result));
    }
    tx.commit();
  }
  if (json) {
    nlohmann::ordered_json out{{"query", query}, {"mode", mode}};
    if (model) {
      out["model"] = {{"id", model->id}, {"name", embedding.model},
                      {"version", embedding.model_version}, {"dims", model->dims},
                      {"distance", model->distance}};
    }
    out["results"] = results;
    std::cout << DumpLine(out) << "\n";
    return 0;
  }
  if (results.empty()) {
    std::cout << "no items match\n";
    return 0;
  }
  int rank = 0;
  for (const auto& r : results) {
    auto passage = r["passage"].get<std::string>();
    constexpr std::size_t kShownBytes = 157;
    if (passage.size() > kShownBytes + 3) {
      passage = std::string(embedder::TruncateUtf8(
                    passage, {.max_tokens = passage.size(), .max_bytes = kShownBytes})) +
                "...";
    }
    std::cout << fmt::format("{:>3}. {:.4f}  {}\n     {}  ({})\n     {}\n", ++rank,
                             r["score"].get<double>(), r["title"].get<std::string>(),
                             r["url"].get<std::string>(), r["source"].get<std::string>(),
                             passage);
  }
  return 0;
}

}  // namespace tributary::cli
