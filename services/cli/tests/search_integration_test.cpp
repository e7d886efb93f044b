// tributary_search() (migrations/0012) on the real PostgreSQL + pgvector, on a hand-made set
// whose vectors (3 dimensions) and texts are chosen so that each ranking alone misses an item
// the fusion finds; and its filters.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include <map>
#include <string>
#include <vector>

#include "tests/support/scratch_database.hpp"

namespace tributary::cli {
namespace {

using ::testing::ElementsAre;

struct Item {
  std::string id;
  std::string title;
  std::string text;
  std::string vector;  // of its one passage, and of the item
  std::string language = "en";
  std::string published = "2026-11-01";
  int source = 0;  // index into the sources added
};

class Search : public ::testing::Test {
 protected:
  void SetUp() override {
    sources_ = db_.AddSources(2);
    pqxx::work tx(connection_);
    model_ = tx.exec1("INSERT INTO embedding_models (name, version, dims) VALUES ('m', 'v', 3) "
                      "RETURNING id")[0]
                 .as<int>();
    tx.exec_params1("SELECT tributary_ensure_model_index($1)", model_);
    // Query vector [1,0,0]; query words "harbour storm".
    const std::vector<Item> items = {
        {"A", "Storm", "A storm closed the harbour for a day.", "[0.6,0.8,0]"},
        {"B", "Offshore", "Ships waited offshore until morning.", "[0.99,0.14,0]"},
        {"C", "Harbour", "The harbour storm season began; harbour storm warnings.", "[0,0,1]",
         "de-AT", "2026-11-20", 1},
        {"D", "Fleet", "Fishing boats returned early.", "[0.9,0.44,0]"},
    };
    for (const auto& item : items) {
      const auto id =
          tx.exec_params1(
                "INSERT INTO items (source_id, external_id, title, content_text, language, "
                "published_at, observed_at, content_hash) VALUES ($1, $2, $3, $4, $5, $6, now(), "
                "sha256(convert_to($2, 'UTF8'))) RETURNING id",
                sources_[static_cast<std::size_t>(item.source)], item.id, item.title, item.text,
                item.language, item.published)[0]
              .as<std::int64_t>();
      ids_[id] = item.id;
      tx.exec_params0("INSERT INTO item_embeddings (item_id, model_id, content_hash, embedding, "
                      "observed_at) VALUES ($1, $2, sha256('x'), $3::vector, now())",
                      id, model_, item.vector);
      tx.exec_params0("INSERT INTO item_chunks (item_id, model_id, chunk, char_begin, char_end, "
                      "content_hash, embedding, observed_at) VALUES ($1, $2, 0, 0, $3, "
                      "sha256('y'), $4::vector, now())",
                      id, model_, static_cast<int>(item.text.size()), item.vector);
    }
    tx.commit();
  }

  // The external ids tributary_search returns, in order; `extra` adds named arguments.
  std::vector<std::string> Found(const std::string& mode, int limit,
                                 const std::string& extra = "") {
    pqxx::work tx(connection_);
    std::vector<std::string> out;
    for (const auto& row : tx.exec_params(
             "SELECT item_id FROM tributary_search('harbour storm', '[1,0,0]'::vector, $1, "
             "mode => $2, result_limit => $3" + extra + ")",
             model_, mode, limit)) {
      out.push_back(ids_.at(row[0].as<std::int64_t>()));
    }
    return out;
  }

  tributary::testing::ScratchDatabase db_;
  pqxx::connection connection_{db_.Dsn()};
  std::vector<std::int64_t> sources_;
  int model_ = 0;
  std::map<std::int64_t, std::string> ids_;
};

// Words: C (both words twice, one in its title) then A match. Meaning: B, D, A are nearest,
// C last. Fused (k 60): C 1/61 + 1/64 = 0.03202, A 1/62 + 1/63 = 0.03200, B 1/61 = 0.01639:
// the fusion's three hold B, which the words miss, and C, which the nearest three miss.
TEST_F(Search, EachRankingAloneMissesAnItemTheFusionFinds) {
  EXPECT_THAT(Found("text", 3), ElementsAre("C", "A"));
  EXPECT_THAT(Found("vector", 3), ElementsAre("B", "D", "A"));
  EXPECT_THAT(Found("hybrid", 3), ElementsAre("C", "A", "B"));
}

TEST_F(Search, ReturnsTheBestPassageAndBothRanks) {
  pqxx::work tx(connection_);
  const auto row = tx.exec_params1(
      "SELECT vector_rank, text_rank, chunk, char_begin, char_end, round(distance::numeric, 3) "
      "FROM tributary_search('harbour storm', '[1,0,0]'::vector, $1) "
      "WHERE item_id = (SELECT id FROM items WHERE external_id = 'A')",
      model_);
  EXPECT_EQ(row[0].as<int>(), 3);
  EXPECT_EQ(row[1].as<int>(), 2);
  EXPECT_EQ(row[2].as<int>(), 0);
  EXPECT_EQ(row[3].as<int>(), 0);
  EXPECT_EQ(row[4].as<int>(), 37);
  EXPECT_EQ(row[5].as<std::string>(), "0.400");  // cosine distance of [0.6,0.8,0] to [1,0,0]
}

TEST_F(Search, FiltersBySourceDateAndLanguage) {
  const auto second_source = std::to_string(sources_[1]);
  EXPECT_THAT(Found("hybrid", 10, ", source_ids => ARRAY[" + second_source + "]::bigint[]"),
              ElementsAre("C"));
  EXPECT_THAT(Found("hybrid", 10, ", since => '2026-11-10'"), ElementsAre("C"));
  EXPECT_THAT(Found("vector", 10, ", until => '2026-11-10'"), ElementsAre("B", "D", "A"));
  EXPECT_THAT(Found("hybrid", 10, ", languages => ARRAY['DE']"), ElementsAre("C"));
  EXPECT_THAT(Found("text", 10, ", languages => ARRAY['en']"), ElementsAre("A"));
}

TEST_F(Search, AModeWithoutItsInputsIsAClearError) {
  pqxx::work tx(connection_);
  try {
    tx.exec("SELECT * FROM tributary_search('x', NULL, NULL)");
    FAIL() << "hybrid without a vector";
  } catch (const pqxx::sql_error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("mode hybrid needs query_vector and model_id"));
  }
}

}  // namespace
}  // namespace tributary::cli
