#include "bench/loader/write_paths.hpp"

#include <libpq-fe.h>

#include <map>
#include <optional>
#include <stdexcept>

#include "common/pg/binary_copy.hpp"
#include "services/loader/pg_text.hpp"
#include "services/loader/sql.hpp"

namespace tributary::bench {
namespace {

void Check(PGresult* result, ExecStatusType expected, PGconn* conn) {
  if (PQresultStatus(result) != expected) {
    throw std::runtime_error(std::string("libpq: ") + PQerrorMessage(conn));
  }
  PQclear(result);
}

void CopyBinary(PGconn* conn, const std::string& copy_sql, const std::string& payload) {
  Check(PQexec(conn, copy_sql.c_str()), PGRES_COPY_IN, conn);
  if (PQputCopyData(conn, payload.data(), static_cast<int>(payload.size())) != 1 ||
      PQputCopyEnd(conn, nullptr) != 1) {
    throw std::runtime_error(std::string("COPY: ") + PQerrorMessage(conn));
  }
  Check(PQgetResult(conn), PGRES_COMMAND_OK, conn);
}

// One `items` row in the column order both COPY paths use (14 columns, typed as in the table).
void AppendItem(pg::BinaryCopy& copy, const v1::Item& item, const loader::ItemRow& decoded) {
  auto text = [](const std::string& s) {
    return s.empty() ? std::optional<std::string>{} : std::optional<std::string>{s};
  };
  copy.BeginRow(14);
  copy.Int8(item.source_id());
  copy.Bytes(item.external_id());
  copy.Text(text(item.url()));
  copy.Text(text(item.canonical_url()));
  copy.Text(text(item.title()));
  copy.Text(text(item.summary()));
  copy.Text(text(item.content_text()));
  const std::vector<std::string> authors(item.authors().begin(), item.authors().end());
  const std::vector<std::string> categories(item.categories().begin(), item.categories().end());
  copy.TextArray(authors);
  copy.TextArray(categories);
  copy.Jsonb(loader::EnclosuresJson(decoded.enclosures));
  copy.Text(text(item.language()));
  copy.Timestamptz(item.published_at().seconds() * 1'000'000);
  copy.Timestamptz(item.observed_at().seconds() * 1'000'000);
  copy.Bytes(item.content_hash());
}

}  // namespace

// The item ids for item_embeddings come from the identity sequence, allocated in COPY order.
void CopyCeiling(const std::string& dsn, const std::vector<v1::EmbeddedItem>& rows,
                 const std::vector<loader::ItemRow>& decoded, int batch, int model_id) {
  PGconn* conn = PQconnectdb(dsn.c_str());
  if (PQstatus(conn) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn));
  for (std::size_t begin = 0; begin < rows.size(); begin += static_cast<std::size_t>(batch)) {
    const auto end = std::min(rows.size(), begin + static_cast<std::size_t>(batch));
    Check(PQexec(conn, "BEGIN"), PGRES_COMMAND_OK, conn);
    pg::BinaryCopy items;
    for (std::size_t i = begin; i < end; ++i) AppendItem(items, rows[i].item(), decoded[i]);
    CopyBinary(conn,
               "COPY items (source_id, external_id, url, canonical_url, title, summary, "
               "content_text, authors, categories, enclosures, language, published_at, "
               "observed_at, content_hash) FROM STDIN (FORMAT binary)",
               items.Finish());
    PGresult* last = PQexec(conn, "SELECT currval(pg_get_serial_sequence('items', 'id'))");
    const long long last_id = std::stoll(PQgetvalue(last, 0, 0));
    PQclear(last);
    pg::BinaryCopy vectors;
    long long id = last_id - static_cast<long long>(end - begin) + 1;
    for (std::size_t i = begin; i < end; ++i, ++id) {
      vectors.BeginRow(5);
      vectors.Int8(id);
      vectors.Int4(model_id);
      vectors.Bytes(rows[i].item().content_hash());
      vectors.Vector(std::span<const float>(rows[i].vector().data(),
                                            static_cast<std::size_t>(rows[i].vector_size())));
      vectors.Timestamptz(rows[i].item().observed_at().seconds() * 1'000'000);
    }
    CopyBinary(conn,
               "COPY item_embeddings (item_id, model_id, content_hash, embedding, observed_at) "
               "FROM STDIN (FORMAT binary)",
               vectors.Finish());
    Check(PQexec(conn, "COMMIT"), PGRES_COMMAND_OK, conn);
  }
  PQfinish(conn);
}

// The two candidate write paths for the same upserts (items + item_embeddings, no stories), on
// one connection, one transaction per batch, so the choice is made by measurement.
void UnnestPath(pqxx::connection& c, const std::vector<loader::ItemRow>& rows, int batch,
                int model_id) {
  const std::map<loader::ModelKey, int> ids = {{rows.front().embedding->model, model_id}};
  for (std::size_t begin = 0; begin < rows.size(); begin += static_cast<std::size_t>(batch)) {
    const auto end = std::min(rows.size(), begin + static_cast<std::size_t>(batch));
    const std::vector<loader::ItemRow> chunk(rows.begin() + static_cast<long>(begin),
                                             rows.begin() + static_cast<long>(end));
    pqxx::work tx(c);
    tx.exec_prepared("items", pqxx::prepare::make_dynamic_params(loader::sql::ItemParams(chunk)));
    tx.exec_prepared("vectors", pqxx::prepare::make_dynamic_params(
                                    loader::sql::EmbeddingParams(chunk, ids)));
    tx.commit();
  }
}

constexpr const char* kStageTables = R"(
CREATE TEMP TABLE IF NOT EXISTS stage_items (
  source_id bigint, external_id text, url text, canonical_url text, title text, summary text,
  content_text text, authors text[], categories text[], enclosures jsonb, language text,
  published_at timestamptz, observed_at timestamptz, content_hash bytea) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_vectors (
  source_id bigint, external_id text, model_id int, content_hash bytea, embedding vector,
  observed_at timestamptz) ON COMMIT DELETE ROWS)";

constexpr const char* kFromStageItems = R"(
INSERT INTO items AS i (source_id, external_id, url, canonical_url, title, summary, content_text,
                        authors, categories, enclosures, language, published_at, observed_at,
                        content_hash)
SELECT * FROM stage_items ORDER BY source_id, external_id
ON CONFLICT (source_id, external_id) DO UPDATE SET
    url = excluded.url, canonical_url = excluded.canonical_url, title = excluded.title,
    summary = excluded.summary, content_text = excluded.content_text,
    authors = excluded.authors, categories = excluded.categories,
    enclosures = excluded.enclosures, language = excluded.language,
    published_at = excluded.published_at, observed_at = excluded.observed_at,
    content_hash = excluded.content_hash, loaded_at = now()
  WHERE i.observed_at <= excluded.observed_at
    AND i.content_hash IS DISTINCT FROM excluded.content_hash)";

constexpr const char* kFromStageVectors = R"(
INSERT INTO item_embeddings AS e (item_id, model_id, content_hash, embedding, observed_at)
SELECT i.id, s.model_id, s.content_hash, s.embedding, s.observed_at
  FROM stage_vectors s JOIN items i ON i.source_id = s.source_id AND i.external_id = s.external_id
 ORDER BY s.source_id, s.external_id
ON CONFLICT (item_id, model_id) DO UPDATE SET
    content_hash = excluded.content_hash, embedding = excluded.embedding,
    observed_at = excluded.observed_at, updated_at = now()
  WHERE e.observed_at <= excluded.observed_at
    AND e.content_hash IS DISTINCT FROM excluded.content_hash)";

void TempCopyPath(const std::string& dsn, const std::vector<v1::EmbeddedItem>& rows,
                  const std::vector<loader::ItemRow>& decoded, int batch, int model_id) {
  PGconn* conn = PQconnectdb(dsn.c_str());
  if (PQstatus(conn) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn));
  Check(PQexec(conn, kStageTables), PGRES_COMMAND_OK, conn);
  for (std::size_t begin = 0; begin < rows.size(); begin += static_cast<std::size_t>(batch)) {
    const auto end = std::min(rows.size(), begin + static_cast<std::size_t>(batch));
    Check(PQexec(conn, "BEGIN"), PGRES_COMMAND_OK, conn);
    pg::BinaryCopy items;
    pg::BinaryCopy vectors;
    for (std::size_t i = begin; i < end; ++i) {
      const auto& item = rows[i].item();
      AppendItem(items, item, decoded[i]);
      vectors.BeginRow(6);
      vectors.Int8(item.source_id());
      vectors.Bytes(item.external_id());
      vectors.Int4(model_id);
      vectors.Bytes(item.content_hash());
      vectors.Vector(std::span<const float>(rows[i].vector().data(),
                                            static_cast<std::size_t>(rows[i].vector_size())));
      vectors.Timestamptz(item.observed_at().seconds() * 1'000'000);
    }
    CopyBinary(conn, "COPY stage_items FROM STDIN (FORMAT binary)", items.Finish());
    CopyBinary(conn, "COPY stage_vectors FROM STDIN (FORMAT binary)", vectors.Finish());
    Check(PQexec(conn, kFromStageItems), PGRES_COMMAND_OK, conn);
    Check(PQexec(conn, kFromStageVectors), PGRES_COMMAND_OK, conn);
    Check(PQexec(conn, "COMMIT"), PGRES_COMMAND_OK, conn);
  }
  PQfinish(conn);
}

}  // namespace tributary::bench
