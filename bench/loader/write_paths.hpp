#pragma once
// The ways the benchmark writes the same rows: the binary COPY ceiling and the two candidate
// upsert paths (prepared unnest versus binary COPY into a temp table + INSERT ... SELECT).
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "services/loader/rows.hpp"
#include "tributary/v1/item.pb.h"

namespace tributary::bench {

// Per batch, one transaction: binary COPY into items, then into item_embeddings.
void CopyCeiling(const std::string& dsn, const std::vector<v1::EmbeddedItem>& rows,
                 const std::vector<loader::ItemRow>& decoded, int batch, int model_id);
// `c` must have "items" and "vectors" prepared (sql::kUpsertItems, sql::kUpsertEmbeddings).
void UnnestPath(pqxx::connection& c, const std::vector<loader::ItemRow>& rows, int batch,
                int model_id);
void TempCopyPath(const std::string& dsn, const std::vector<v1::EmbeddedItem>& rows,
                  const std::vector<loader::ItemRow>& decoded, int batch, int model_id);

}  // namespace tributary::bench
