#include "services/embedder/pg_vector_store.hpp"

#include <charconv>
#include <span>

#include "common/pg/array_literal.hpp"

namespace tributary::embedder {
namespace {

constexpr const char* kLookup = "embedder_cache_lookup";
// Items' hashes are in item_embeddings, passages' in item_chunks (the two never collide: one
// hashes an item's fields, the other a passage's text); each table's (model_id, content_hash)
// index serves its half. Hashes travel as one hex text[] parameter.
constexpr const char* kLookupSql = R"(
WITH wanted AS (SELECT decode(h, 'hex') AS hash FROM unnest($2::text[]) AS h)
SELECT DISTINCT ON (content_hash) content_hash, embedding::text
  FROM (SELECT content_hash, embedding FROM item_embeddings
         WHERE model_id = $1 AND content_hash = ANY (ARRAY(SELECT hash FROM wanted))
        UNION ALL
        SELECT content_hash, embedding FROM item_chunks
         WHERE model_id = $1 AND content_hash = ANY (ARRAY(SELECT hash FROM wanted))) found)";

constexpr const char* kMerged = "embedder_merged_articles";
// The row must hold the very version asked about (its content_hash) with that version's article
// merged; the vector returned is the row's, which is the article's (item_embeddings.content_hash
// = article_hash, as the loader stores it).
constexpr const char* kMergedSql = R"(
SELECT u.n - 1, e.embedding::text
  FROM unnest($2::bigint[], $3::text[], $4::text[])
       WITH ORDINALITY AS u(source_id, external_id, content_hash, n)
  JOIN items i ON i.source_id = u.source_id AND i.external_id = u.external_id
              AND i.content_hash = decode(u.content_hash, 'hex') AND i.article_state = 'done'
  JOIN item_embeddings e ON e.item_id = i.id AND e.model_id = $1
                        AND e.content_hash = i.article_hash)";

std::string HexArray(const std::vector<std::string>& hashes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "{";
  for (const auto& hash : hashes) {
    if (out.size() > 1) out += ',';
    for (const char ch : hash) {
      const auto c = static_cast<unsigned char>(ch);
      out += kDigits[c >> 4];
      out += kDigits[c & 0xF];
    }
  }
  out += '}';
  return out;
}

}  // namespace

std::optional<Vector> ParseVectorText(std::string_view text) {
  if (text.size() < 2 || text.front() != '[' || text.back() != ']') return std::nullopt;
  Vector out;
  const char* p = text.data() + 1;
  const char* end = text.data() + text.size() - 1;
  while (p < end) {
    float value = 0;
    const auto [next, ec] = std::from_chars(p, end, value);
    if (ec != std::errc()) return std::nullopt;
    out.push_back(value);
    p = next;
    if (p < end) {
      if (*p != ',') return std::nullopt;
      ++p;
    }
  }
  return out;
}

PgVectorStore::PgVectorStore(pg::Database& database, std::chrono::milliseconds give_up_after)
    : database_(database), give_up_after_(give_up_after) {
  database_.Prepare(kLookup, kLookupSql);
  database_.Prepare(kMerged, kMergedSql);
}

Result<std::optional<RegisteredModel>> PgVectorStore::FindModel(const std::string& name,
                                                                const std::string& version) {
  std::lock_guard lock(mutex_);
  return database_.Run(
      [&](pqxx::connection& c) -> std::optional<RegisteredModel> {
        pqxx::read_transaction tx(c);
        const auto rows = tx.exec_params(
            "SELECT id, dims, distance FROM embedding_models WHERE name = $1 AND version = $2",
            name, version);
        if (rows.empty()) return std::nullopt;
        return RegisteredModel{.id = rows[0][0].as<int>(),
                               .dims = rows[0][1].as<int>(),
                               .distance = rows[0][2].as<std::string>()};
      },
      give_up_after_);
}

Result<std::map<std::string, Vector>> PgVectorStore::Lookup(
    int model_id, const std::vector<std::string>& content_hashes) {
  std::lock_guard lock(mutex_);
  const auto hex = HexArray(content_hashes);
  return database_.Run(
      [&](pqxx::connection& c) {
        pqxx::read_transaction tx(c);
        std::map<std::string, Vector> found;
        for (const auto& row : tx.exec_prepared(kLookup, model_id, hex)) {
          const pqxx::binarystring hash(row[0]);
          if (auto vector = ParseVectorText(row[1].c_str())) {
            found.emplace(hash.str(), std::move(*vector));
          }
        }
        return found;
      },
      give_up_after_);
}

Result<std::map<std::size_t, Vector>> PgVectorStore::MergedArticleVectors(
    int model_id, const std::vector<ItemVersion>& versions) {
  std::vector<std::string> sources;
  std::vector<std::string> ids;
  std::vector<std::string> hashes;
  for (const auto& v : versions) {
    sources.push_back(std::to_string(v.source_id));
    ids.push_back(v.external_id);
    hashes.push_back(v.content_hash);
  }
  const auto source_array = pg::ArrayLiteral(std::span<const std::string>(sources));
  const auto id_array = pg::ArrayLiteral(std::span<const std::string>(ids));
  const auto hash_array = HexArray(hashes);
  std::lock_guard lock(mutex_);
  return database_.Run(
      [&](pqxx::connection& c) {
        pqxx::read_transaction tx(c);
        std::map<std::size_t, Vector> found;
        for (const auto& row :
             tx.exec_prepared(kMerged, model_id, source_array, id_array, hash_array)) {
          if (auto vector = ParseVectorText(row[1].c_str())) {
            found.emplace(row[0].as<std::size_t>(), std::move(*vector));
          }
        }
        return found;
      },
      give_up_after_);
}

}  // namespace tributary::embedder
