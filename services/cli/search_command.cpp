#include "services/cli/search_command.hpp"

#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "common/config/spec.hpp"
#include "common/log/log.hpp"
#include "common/log/mask.hpp"
#include "common/pg/database.hpp"
#include "services/cli/database_session.hpp"
#include "services/cli/message_json.hpp"
#include "services/embedder/embedding_settings.hpp"
#include "services/embedder/text.hpp"

namespace tributary::cli {
namespace {

std::string DistanceOperator(const std::string& distance) {
  if (distance == "l2") return "<->";
  if (distance == "inner_product") return "<#>";
  return "<=>";
}

// Higher is closer: cosine similarity, inner product, or 1 / (1 + L2 distance).
double Score(const std::string& distance, double d) {
  if (distance == "l2") return 1.0 / (1.0 + d);
  if (distance == "inner_product") return -d;
  return 1.0 - d;
}

std::string VectorText(const std::vector<float>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += ',';
    out += fmt::format("{}", v[i]);
  }
  return out + "]";
}

}  // namespace

std::string SearchSql(int model_id, int dims, const std::string& distance, int limit) {
  // Above 4000 dims pgvector has no HNSW index: the cast to vector(N) still works (exact scan).
  const std::string type = dims > 2000 && dims <= 4000 ? "halfvec" : "vector";
  const std::string expression = fmt::format("embedding::{}({})", type, dims);
  const std::string query = fmt::format("$1::{}({})", type, dims);
  const auto op = DistanceOperator(distance);
  return fmt::format(
      "SELECT n.item_id, n.distance, i.title, i.url, i.source_id, s.name, s.url, "
      "i.published_at "
      "FROM (SELECT item_id, {0} {1} {2} AS distance FROM item_embeddings "
      "WHERE model_id = {3} ORDER BY {0} {1} {2} LIMIT {4}) n "
      "JOIN items i ON i.id = n.item_id JOIN sources s ON s.id = i.source_id "
      "ORDER BY n.distance, n.item_id",
      expression, op, query, model_id, limit);
}

int SearchCommand(const config::Source& source) {
  pg::Settings pg_settings;
  log::Settings log_settings;
  embedder::EmbeddingSettings embedding;
  bool json = false;
  int limit = 10;
  std::vector<std::string> words;
  config::Spec spec(
      "tributary search",
      "Embeds the query with the configured embedding backend (the embedder's settings: "
      "--backend, --model, --model-version, --dims, --openai-*; same TRIBUTARY_* variables) and "
      "prints the nearest items of that model from item_embeddings (pgvector, through the "
      "model's HNSW index) with score (cosine similarity for cosine models), title, url and "
      "source. The default hash backend works offline and matches words, not meaning.");
  pg::AddSettings(spec, &pg_settings);
  log::AddSettings(spec, &log_settings);
  embedder::AddEmbeddingSettings(spec, &embedding);
  spec.Int("limit", &limit, 1, 1000, "How many items to print.")
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
  if (const auto problems = embedder::ResolveEmbeddingSettings(&embedding); !problems.empty()) {
    for (const auto& problem : problems) std::cerr << "tributary search: " << problem << "\n";
    return 2;
  }

  pg::Database database(pg_settings, "tributary-cli");
  if (!Connect(database, "search")) return 1;
  int model_id = 0;
  int dims = 0;
  std::string distance;
  {
    pqxx::read_transaction tx(database.Connection());
    const auto rows = tx.exec_params(
        "SELECT id, dims, distance FROM embedding_models WHERE name = $1 AND version = $2",
        embedding.model, embedding.model_version);
    if (rows.empty()) {
      std::string known;
      for (const auto& r : tx.exec("SELECT name || ' ' || version FROM embedding_models "
                                   "ORDER BY id")) {
        known += (known.empty() ? "" : ", ") + std::string(r[0].c_str());
      }
      std::cerr << fmt::format(
          "tributary search: model {} {} has no vectors yet (not in embedding_models; "
          "registered: {}). Run the embedder and loader with it, or pick --model/"
          "--model-version/--dims of a registered one.\n",
          embedding.model, embedding.model_version, known.empty() ? "none" : known);
      return 1;
    }
    model_id = rows[0][0].as<int>();
    dims = rows[0][1].as<int>();
    distance = rows[0][2].c_str();
  }
  if (dims != embedding.dims) {
    std::cerr << fmt::format(
        "tributary search: model {} {} is registered with {} dims, but --dims is {}\n",
        embedding.model, embedding.model_version, dims, embedding.dims);
    return 2;
  }

  const auto backend = embedder::MakeBackend(embedding);
  const embedder::TextLimits limits;
  auto embedded = backend->Embed({std::string(embedder::TruncateUtf8(query, limits))});
  if (!embedded) {
    std::cerr << "tributary search: the embedding backend failed (" << embedded.error().error_class
              << "): " << log::Mask(embedded.error().message) << "\n";
    return 1;
  }
  if (embedded->vectors.size() != 1 ||
      embedded->vectors[0].size() != static_cast<std::size_t>(dims)) {
    std::cerr << "tributary search: the backend answered with a vector of another size\n";
    return 1;
  }

  nlohmann::json results = nlohmann::json::array();
  {
    pqxx::read_transaction tx(database.Connection());
    // HNSW returns at most ef_search candidates: make room for the whole limit.
    tx.exec0(fmt::format("SET LOCAL hnsw.ef_search = {}", std::max(40, limit)));
    const auto rows =
        tx.exec_params(SearchSql(model_id, dims, distance, limit),
                       VectorText(embedded->vectors[0]));
    for (const auto& r : rows) {
      const double d = r[1].as<double>();
      results.push_back({{"item_id", r[0].as<std::int64_t>()},
                         {"score", Score(distance, d)},
                         {"distance", d},
                         {"title", r[2].is_null() ? "" : r[2].c_str()},
                         {"url", r[3].is_null() ? "" : r[3].c_str()},
                         {"source_id", r[4].as<std::int64_t>()},
                         {"source", r[5].is_null() ? r[6].c_str() : r[5].c_str()},
                         {"published_at", r[7].is_null() ? nlohmann::json() : r[7].c_str()}});
    }
  }
  if (json) {
    std::cout << DumpLine(nlohmann::ordered_json{{"query", query},
                           {"model", {{"id", model_id}, {"name", embedding.model},
                                      {"version", embedding.model_version}, {"dims", dims},
                                      {"distance", distance}}},
                           {"results", results}})
              << "\n";
    return 0;
  }
  if (results.empty()) {
    std::cout << "no items have vectors of model " << embedding.model << " "
              << embedding.model_version << " yet\n";
    return 0;
  }
  int rank = 0;
  for (const auto& r : results) {
    std::cout << fmt::format("{:>3}. {:.3f}  {}\n     {}  ({})\n", ++rank,
                             r["score"].get<double>(), r["title"].get<std::string>(),
                             r["url"].get<std::string>(), r["source"].get<std::string>());
  }
  return 0;
}

}  // namespace tributary::cli
