// The loader core on the real PostgreSQL + pgvector (a scratch database per test): the DESIGN §4
// guarantees measured in rows, xmin and counters. Kafka is faked here (the end-to-end test in
// loader_integration_test.cpp uses the real broker).
#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <atomic>
#include <limits>
#include <random>
#include <thread>

#include "common/digest/sha256.hpp"
#include "common/pg/database.hpp"
#include "common/runtime/testing/in_memory_bus.hpp"
#include "services/loader/core.hpp"
#include "services/loader/decode.hpp"
#include "services/loader/pg_store.hpp"
#include "services/loader/pg_text.hpp"
#include "services/loader/sql.hpp"
#include "services/loader/tests/fixtures.hpp"
#include "services/loader/tests/loader_harness.hpp"
#include "tests/support/scratch_database.hpp"

namespace tributary::loader {
namespace {

using namespace std::chrono_literals;
using testing::AsMessage;
using testing::MakeEmbedded;
using testing::MakeItem;
using tributary::testing::ScratchDatabase;

constexpr const char* kItems = testing::kItemsTopic;
constexpr const char* kEvents = testing::kEventsTopic;
constexpr int kDims = 16;

using testing::Loader;

std::vector<kafka::Message> EmbeddedItems(const std::vector<std::int64_t>& sources, int count,
                                          int version, std::int64_t observed) {
  std::vector<kafka::Message> messages;
  messages.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    const auto source = sources[static_cast<std::size_t>(i) % sources.size()];
    auto item = MakeItem(source, "item-" + std::to_string(i), version, observed);
    messages.push_back(AsMessage(MakeEmbedded(item, kDims, i), kItems, i));
  }
  return messages;
}

// (id, xmin) of every row: a row rewritten by an UPDATE gets a new xmin.
std::vector<std::string> RowVersions(ScratchDatabase& db, const std::string& table,
                                     const std::string& key) {
  pqxx::connection c(db.Dsn());
  pqxx::read_transaction tx(c);
  std::vector<std::string> out;
  for (const auto& row :
       tx.exec("SELECT " + key + "::text || '@' || xmin::text FROM " + table + " ORDER BY 1")) {
    out.emplace_back(row[0].c_str());
  }
  return out;
}

TEST(LoaderPg, LoadsTwentyThousandItemsAndARedeliveryWritesNothing) {
  ScratchDatabase db;
  const auto sources = db.AddSources(10);
  const auto messages = EmbeddedItems(sources, 20'000, 1, 1'700'000'000);
  Loader loader(db);
  loader.Load(messages);
  EXPECT_EQ(loader.metrics.items_inserted.Value(), 20'000);
  EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM items"), 20'000);
  EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM item_embeddings"), 20'000);
  EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM stories"), 20'000);
  EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM story_items"), 20'000);
  EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM dq_duplicates"), 0);
  EXPECT_EQ(loader.bus.Completed().size(), 20'000U);

  // pg_stat_user_tables counts what the server really wrote. A backend publishes its counts
  // when it goes idle, rate-limited to once a second; pg_stat_force_next_flush() lifts the limit,
  // so once that statement has answered, the loader's writes are visible in the view.
  auto tuples = [&] {
    pqxx::nontransaction(loader.database.Connection()).exec("SELECT pg_stat_force_next_flush()");
    return db.Scalar<std::string>(
        "SELECT string_agg(relname || ':' || n_tup_ins || '/' || n_tup_upd, ' ' ORDER BY relname) "
        "FROM pg_stat_user_tables WHERE relname IN ('items', 'item_embeddings', 'stories', "
        "'story_items')");
  };
  const auto tuples_before = tuples();
  EXPECT_EQ(tuples_before,
            "item_embeddings:20000/0 items:20000/0 stories:20000/0 story_items:20000/0")
      << "one insert per row, no row written twice";
  const auto items_before = RowVersions(db, "items", "id");
  const auto vectors_before = RowVersions(db, "item_embeddings", "item_id");
  const auto stories_before = RowVersions(db, "stories", "id");
  loader.Load(messages);  // the same 20,000 again
  EXPECT_EQ(loader.metrics.items_inserted.Value(), 20'000) << "no new rows";
  EXPECT_EQ(loader.metrics.items_updated.Value(), 0) << "no updated rows";
  EXPECT_EQ(loader.metrics.items_unchanged.Value(), 20'000);
  EXPECT_EQ(loader.metrics.embeddings_written.Value(), 20'000) << "only the first load";
  EXPECT_EQ(RowVersions(db, "items", "id"), items_before) << "no item row was rewritten";
  EXPECT_EQ(RowVersions(db, "item_embeddings", "item_id"), vectors_before);
  EXPECT_EQ(RowVersions(db, "stories", "id"), stories_before);
  EXPECT_EQ(tuples(), tuples_before) << "zero inserted and zero updated tuples";
  EXPECT_TRUE(loader.bus.DeadLettered().empty());
}

// Every column as text, in key order: what a reader of the tables sees.
std::vector<std::string> StoredRows(ScratchDatabase& db) {
  pqxx::connection c(db.Dsn());
  pqxx::read_transaction tx(c);
  std::vector<std::string> out;
  for (const auto& row : tx.exec(
           "SELECT concat_ws('|', i.source_id, i.external_id, i.url, i.canonical_url, i.title, "
           "i.summary, i.content_text, i.authors, i.categories, i.enclosures, i.language, "
           "i.published_at, i.updated_at, i.observed_at, encode(i.content_hash, 'hex'), "
           "i.request_id, i.author_details, i.content_html, e.model_id, "
           "encode(e.content_hash, 'hex'), "
           "e.embedding, "
           "e.observed_at) FROM items i LEFT JOIN item_embeddings e ON e.item_id = i.id "
           "ORDER BY i.source_id, i.external_id")) {
    out.emplace_back(row[0].c_str());
  }
  return out;
}

TEST(LoaderPg, BinaryCopyAndUnnestPathsStoreIdenticalRows) {
  // Rows with NULLs, empty and non-empty lists, odd text and sub-second times, so every column
  // encoding of the COPY path is compared with the unnest path's text rendering.
  ScratchDatabase copy_db;
  ScratchDatabase unnest_db;
  const auto sources = copy_db.AddSources(3);
  ASSERT_EQ(unnest_db.AddSources(3), sources);
  std::vector<kafka::Message> messages;
  for (int i = 0; i < 300; ++i) {
    auto item = MakeItem(sources[static_cast<std::size_t>(i) % 3], "odd-" + std::to_string(i), 1,
                         1'700'000'000 + i);
    item.mutable_observed_at()->set_nanos(123'456'789);
    if (i % 3 == 0) {
      item.clear_title();
      item.clear_published_at();
      item.clear_enclosures();
    }
    if (i % 3 == 1) {
      item.add_authors("Zoë \"Z\" O'Neil, {admin}");
      auto* person = item.add_author_details();
      person->set_name("Zoë \"Z\" O'Neil, {admin}");
      person->set_email("zoe@example.com");
      person->set_uri("https://example.com/~zoe?a=1&b=\\");
      item.set_content_html(
          "<p>tab\tquote\" \xE2\x9C\x93 <a href=\"https://e.example/?a=1&amp;b\">x</a></p>");
      item.add_categories("a,b");
      item.add_categories("NULL");
      item.mutable_updated_at()->set_seconds(-86'400 * 365);  // before 2000: negative PG time
    }
    item.set_content_text("tab\tnewline\nbackslash\\ \xE2\x9C\x93 " + std::to_string(i));
    auto embedded = MakeEmbedded(item, kDims, i % kDims);
    embedded.set_vector((i + 1) % kDims, -1.5e-7F);
    messages.push_back(AsMessage(embedded, kItems, i));
  }
  Loader by_copy(copy_db, 1000, InputKind::kEmbedded, 1);
  Loader by_unnest(unnest_db, 1000, InputKind::kEmbedded, std::numeric_limits<std::size_t>::max());
  by_copy.Load(messages);
  by_unnest.Load(messages);
  EXPECT_EQ(by_copy.metrics.items_inserted.Value(), 300);
  EXPECT_EQ(by_unnest.metrics.items_inserted.Value(), 300);
  const auto rows = StoredRows(copy_db);
  ASSERT_EQ(rows.size(), 300U);
  EXPECT_EQ(rows, StoredRows(unnest_db));

  // A newer version of every item takes the update branch of the same upsert on both paths.
  std::vector<kafka::Message> newer;
  for (int i = 0; i < 300; ++i) {
    newer.push_back(AsMessage(
        MakeEmbedded(MakeItem(sources[static_cast<std::size_t>(i) % 3], "odd-" + std::to_string(i),
                              2, 1'800'000'000),
                     kDims, 1),
        kItems, 300 + i));
  }
  by_copy.Load(newer);
  by_unnest.Load(newer);
  EXPECT_EQ(by_copy.metrics.items_updated.Value(), 300);
  EXPECT_EQ(by_copy.metrics.embeddings_written.Value(), 600);
  EXPECT_EQ(StoredRows(copy_db), StoredRows(unnest_db));
}

TEST(LoaderPg, AnOlderVersionDeliveredAfterANewerOneChangesNothing) {
  ScratchDatabase db;
  const auto source = db.AddSources(1)[0];
  Loader loader(db);
  auto v2 = MakeEmbedded(MakeItem(source, "x", 2, 2000), kDims, 2);
  auto v1 = MakeEmbedded(MakeItem(source, "x", 1, 1000), kDims, 1);
  loader.Load({AsMessage(v2, kItems, 0)});
  const auto before = RowVersions(db, "items", "id");
  loader.Load({AsMessage(v1, kItems, 1)});
  EXPECT_EQ(RowVersions(db, "items", "id"), before);
  EXPECT_EQ(db.Scalar<std::string>("SELECT title FROM items"), "title x v2");
  EXPECT_EQ(db.Scalar<std::string>(
                "SELECT encode(content_hash, 'hex') FROM item_embeddings"),
            digest::Hex(testing::Hash(2)));
}

// "chunk@char_begin-char_end:hash" of every stored passage, in order.
std::vector<std::string> Passages(ScratchDatabase& db) {
  pqxx::connection c(db.Dsn());
  pqxx::read_transaction tx(c);
  std::vector<std::string> out;
  for (const auto& row : tx.exec("SELECT chunk || '@' || char_begin || '-' || char_end || ':' || "
                                 "encode(content_hash, 'hex') FROM item_chunks ORDER BY chunk")) {
    out.emplace_back(row[0].c_str());
  }
  return out;
}

std::string Passage(int chunk, int version) {
  return std::to_string(chunk) + "@" + std::to_string(10 * chunk) + "-" +
         std::to_string(10 * chunk + 10) + ":" + digest::Hex(testing::Hash(1000 * version + chunk));
}

TEST(LoaderPg, PassagesLandWithTheItemAndAShorterVersionRemovesTheRest) {
  ScratchDatabase db;
  const auto source = db.AddSources(1)[0];
  Loader loader(db);
  const auto v1 = testing::WithChunks(MakeEmbedded(MakeItem(source, "x", 1, 1000), kDims, 0), 3, 1);
  loader.Load({AsMessage(v1, kItems, 0)});
  EXPECT_EQ(Passages(db), (std::vector<std::string>{Passage(0, 1), Passage(1, 1), Passage(2, 1)}));
  EXPECT_EQ(loader.metrics.chunks_written.Value(), 3);
  // Each passage keeps its own vector, and the model's chunk index serves a passage search.
  EXPECT_EQ(db.Scalar<std::string>("SELECT embedding::text FROM item_chunks WHERE chunk = 1")
                .substr(0, 11),
            "[0.02,1,0.0");
  const auto v2 = testing::WithChunks(MakeEmbedded(MakeItem(source, "x", 2, 2000), kDims, 0), 1, 2);
  loader.Load({AsMessage(v2, kItems, 1)});
  EXPECT_EQ(Passages(db), (std::vector<std::string>{Passage(0, 2)}));
  EXPECT_EQ(loader.metrics.chunks_deleted.Value(), 2);
  EXPECT_TRUE(loader.bus.DeadLettered().empty());
}

// Rows of item_vector_bits (0020) that differ from what the stored vectors and their items say:
// one per passage, one (chunk -1) per item vector, with the item's source and date.
std::int64_t VectorBitsOutOfStep(ScratchDatabase& db) {
  return db.Scalar<std::int64_t>(R"(
    WITH expected AS (
      SELECT c.item_id, c.model_id, c.chunk, i.source_id,
             coalesce(i.published_at, i.first_seen_at), binary_quantize(c.embedding)::varbit
        FROM item_chunks c JOIN items i ON i.id = c.item_id
      UNION ALL
      SELECT e.item_id, e.model_id, -1, i.source_id,
             coalesce(i.published_at, i.first_seen_at), binary_quantize(e.embedding)::varbit
        FROM item_embeddings e JOIN items i ON i.id = e.item_id),
    actual AS (
      SELECT item_id, model_id, chunk, source_id, published_or_seen, bits FROM item_vector_bits)
    SELECT (SELECT count(*) FROM (SELECT * FROM expected EXCEPT ALL SELECT * FROM actual) a) +
           (SELECT count(*) FROM (SELECT * FROM actual EXCEPT ALL SELECT * FROM expected) b))");
}

// The filtered search's bits follow every change the loader makes, and the item's date.
TEST(LoaderPg, VectorBitsFollowThePassagesTheItemVectorAndTheItemsDate) {
  ScratchDatabase db;
  const auto source = db.AddSources(1)[0];
  Loader loader(db);
  const auto v1 = testing::WithChunks(MakeEmbedded(MakeItem(source, "x", 1, 1000), kDims, 0), 3, 1);
  loader.Load({AsMessage(v1, kItems, 0)});
  EXPECT_EQ(db.Scalar<std::int64_t>("SELECT count(*) FROM item_vector_bits"), 4);
  EXPECT_EQ(VectorBitsOutOfStep(db), 0);
  const auto bits_v1 = db.Scalar<std::string>("SELECT bits::text FROM item_vector_bits "
                                              "WHERE chunk = 0");
  // A shorter version with other vectors: the passages it no longer has go, the rest change.
  auto v2 = testing::WithChunks(MakeEmbedded(MakeItem(source, "x", 2, 2000), kDims, 7), 1, 2);
  for (int i = 1; i < kDims; i += 2) v2.mutable_chunks(0)->set_vector(i, -0.5F);  // other signs
  loader.Load({AsMessage(v2, kItems, 1)});
  EXPECT_EQ(db.Scalar<std::int64_t>("SELECT count(*) FROM item_vector_bits"), 2);
  EXPECT_EQ(VectorBitsOutOfStep(db), 0);
  EXPECT_NE(db.Scalar<std::string>("SELECT bits::text FROM item_vector_bits WHERE chunk = 0"),
            bits_v1);
  pqxx::connection c(db.Dsn());
  pqxx::nontransaction(c).exec0("UPDATE items SET published_at = '2020-01-01Z'");
  EXPECT_EQ(VectorBitsOutOfStep(db), 0) << "the item's date changed, its bits' did not";
  pqxx::nontransaction(c).exec0("DELETE FROM items");
  EXPECT_EQ(db.Scalar<std::int64_t>("SELECT count(*) FROM item_vector_bits"), 0);
}

TEST(LoaderPg, AnOlderVersionAfterANewerOneNeitherAddsNorRemovesPassages) {
  ScratchDatabase db;
  const auto source = db.AddSources(1)[0];
  Loader loader(db);
  const auto v2 = testing::WithChunks(MakeEmbedded(MakeItem(source, "x", 2, 2000), kDims, 0), 1, 2);
  const auto v1 = testing::WithChunks(MakeEmbedded(MakeItem(source, "x", 1, 1000), kDims, 0), 3, 1);
  loader.Load({AsMessage(v2, kItems, 0)});
  loader.Load({AsMessage(v1, kItems, 1)});
  EXPECT_EQ(Passages(db), (std::vector<std::string>{Passage(0, 2)}));
  // And the other way round, a newer version with more passages adds them.
  const auto v3 = testing::WithChunks(MakeEmbedded(MakeItem(source, "x", 3, 3000), kDims, 0), 2, 3);
  loader.Load({AsMessage(v3, kItems, 2)});
  EXPECT_EQ(Passages(db), (std::vector<std::string>{Passage(0, 3), Passage(1, 3)}));
}

TEST(LoaderPg, ARedeliveryRewritesNoPassage) {
  ScratchDatabase db;
  const auto source = db.AddSources(1)[0];
  Loader loader(db);
  const auto v1 = testing::WithChunks(MakeEmbedded(MakeItem(source, "x", 1, 1000), kDims, 0), 3, 1);
  loader.Load({AsMessage(v1, kItems, 0)});
  const auto before = RowVersions(db, "item_chunks", "chunk");
  loader.Load({AsMessage(v1, kItems, 1)});
  EXPECT_EQ(RowVersions(db, "item_chunks", "chunk"), before);
  EXPECT_EQ(loader.metrics.chunks_written.Value(), 3) << "only the first delivery writes";
  EXPECT_EQ(loader.metrics.chunks_deleted.Value(), 0);
}

// A message from an embedder that does not make chunks (no `chunked`) leaves them alone; one
// that does, with none (the item lost its text), removes them.
TEST(LoaderPg, OnlyAChunkingEmbeddersMessageChangesThePassages) {
  ScratchDatabase db;
  const auto source = db.AddSources(1)[0];
  Loader loader(db);
  loader.Load({AsMessage(
      testing::WithChunks(MakeEmbedded(MakeItem(source, "x", 1, 1000), kDims, 0), 2, 1), kItems,
      0)});
  loader.Load({AsMessage(MakeEmbedded(MakeItem(source, "x", 2, 2000), kDims, 0), kItems, 1)});
  EXPECT_EQ(Passages(db), (std::vector<std::string>{Passage(0, 1), Passage(1, 1)}));
  loader.Load({AsMessage(
      testing::WithChunks(MakeEmbedded(MakeItem(source, "x", 3, 3000), kDims, 0), 0, 3), kItems,
      2)});
  EXPECT_TRUE(Passages(db).empty());
}

// After an upgrade: items embedded before chunks, replayed through a chunking embedder with
// the same content, get their passages (the stored vector alone is not "current").
TEST(LoaderPg, AnUnchangedItemGetsItsPassagesFromAChunkingEmbedder) {
  ScratchDatabase db;
  const auto source = db.AddSources(1)[0];
  Loader loader(db);
  const auto item = MakeItem(source, "x", 1, 1000);
  loader.Load({AsMessage(MakeEmbedded(item, kDims, 0), kItems, 0)});
  EXPECT_TRUE(Passages(db).empty());
  loader.Load({AsMessage(testing::WithChunks(MakeEmbedded(item, kDims, 0), 2, 1), kItems, 1)});
  EXPECT_EQ(Passages(db), (std::vector<std::string>{Passage(0, 1), Passage(1, 1)}));
}

// The passage statements themselves, against a newer stored version: what keeps two loaders
// racing on one item (the current-row check passed for both) from mixing their passages.
TEST(LoaderPg, PassageStatementsActOnlyForTheVersionStoredNow) {
  ScratchDatabase db;
  const auto source = db.AddSources(1)[0];
  Loader loader(db);
  loader.Load({AsMessage(
      testing::WithChunks(MakeEmbedded(MakeItem(source, "x", 2, 2000), kDims, 0), 1, 2), kItems,
      0)});
  const auto older = ToItemRow(
      testing::WithChunks(MakeEmbedded(MakeItem(source, "x", 1, 1000), kDims, 0), 3, 1));
  ASSERT_TRUE(older);
  const auto model = loader.store.ModelId(older->embedding->model);
  ASSERT_TRUE(model);
  const std::map<ModelKey, int> model_ids{{older->embedding->model, *model}};
  pqxx::connection c(db.Dsn());
  pqxx::work tx(c);
  const auto run = [&](const char* sql, const std::vector<std::string>& params) {
    return tx.exec_params(sql, pqxx::prepare::make_dynamic_params(params)).affected_rows();
  };
  EXPECT_EQ(run(sql::kDeleteStaleChunks, sql::ChunkCountParams({*older}, model_ids)), 0U);
  EXPECT_EQ(run(sql::kUpsertChunks, sql::ChunkParams({*older}, model_ids)), 0U);
  tx.commit();
  EXPECT_EQ(Passages(db), (std::vector<std::string>{Passage(0, 2)}));
}

TEST(LoaderPg, TheSameKeyTwiceInOneBatchLoadsTheNewest) {
  ScratchDatabase db;
  const auto source = db.AddSources(1)[0];
  Loader loader(db);
  loader.Load({AsMessage(MakeEmbedded(MakeItem(source, "x", 3, 3000), kDims, 0), kItems, 0),
               AsMessage(MakeEmbedded(MakeItem(source, "x", 1, 1000), kDims, 0), kItems, 1)});
  EXPECT_TRUE(loader.bus.DeadLettered().empty());
  EXPECT_EQ(db.Scalar<std::string>("SELECT title FROM items"), "title x v3");
  EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM items"), 1);
  EXPECT_EQ(loader.bus.Completed().size(), 2U);
}

TEST(LoaderPg, ItemsOfSeveralSourcesShareAStoryAndAMovedItemLeavesItsOldStory) {
  ScratchDatabase db;
  const auto sources = db.AddSources(3);
  Loader loader(db);
  std::vector<kafka::Message> messages;
  for (std::size_t s = 0; s < sources.size(); ++s) {
    auto item = MakeItem(sources[s], "same-story", 1);
    item.set_canonical_url("https://news.example/a");
    messages.push_back(
        AsMessage(MakeEmbedded(item, kDims, 0), kItems, static_cast<std::int64_t>(s)));
  }
  loader.Load(messages);
  EXPECT_EQ(db.Scalar<std::string>("SELECT canonical_url || ':' || item_count FROM stories"),
            "https://news.example/a:3");
  EXPECT_EQ(db.Scalar<bool>("SELECT canonical_url_hash = sha256('https://news.example/a') "
                            "FROM stories"),
            true);
  // The first source's item changes its canonical URL: it moves to a new story.
  auto moved = MakeItem(sources[0], "same-story", 2, 1'700'000'100);
  moved.set_canonical_url("https://news.example/b");
  loader.Load({AsMessage(MakeEmbedded(moved, kDims, 0), kItems, 10)});
  EXPECT_EQ(db.Scalar<std::string>(
                "SELECT string_agg(canonical_url || ':' || item_count, ',' ORDER BY canonical_url) "
                "FROM stories"),
            "https://news.example/a:2,https://news.example/b:1");
  EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM dq_duplicates"), 0);
}

TEST(LoaderPg, FourLoadersWithOverlappingShuffledKeysNeitherDeadlockNorDuplicate) {
  ScratchDatabase db;
  const auto sources = db.AddSources(4);
  constexpr int kKeys = 3000;
  std::vector<std::unique_ptr<Loader>> loaders;
  for (int i = 0; i < 4; ++i) loaders.push_back(std::make_unique<Loader>(db, 250));
  std::vector<std::thread> threads;
  for (int l = 0; l < 4; ++l) {
    threads.emplace_back([&, l] {
      // Each loader sees 3/4 of the keys, two versions each, in its own random order; items of
      // different sources share canonical URLs, so stories are contended too.
      std::vector<kafka::Message> messages;
      std::mt19937 rng(static_cast<unsigned>(l));
      for (int k = 0; k < kKeys; ++k) {
        if (k % 4 == l) continue;
        for (int version = 1; version <= 2; ++version) {
          auto item = MakeItem(sources[static_cast<std::size_t>(k % 4)], "k" + std::to_string(k),
                               version, 1000 + version);
          item.set_canonical_url("https://example.com/story/" + std::to_string(k / 3));
          messages.push_back(AsMessage(MakeEmbedded(item, kDims, k), kItems,
                                       static_cast<std::int64_t>(messages.size())));
        }
      }
      std::shuffle(messages.begin(), messages.end(), rng);
      for (const auto& m : messages) loaders[static_cast<std::size_t>(l)]->core.Add(m, {});
      loaders[static_cast<std::size_t>(l)]->core.Flush();
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& loader : loaders) {
    EXPECT_TRUE(loader->bus.DeadLettered().empty());
    EXPECT_EQ(loader->bus.Completed().size(), static_cast<std::size_t>(kKeys * 3 / 4 * 2));
  }
  EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM items"), kKeys);
  EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM items WHERE title LIKE '% v2'"), kKeys);
  EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM item_embeddings"), kKeys);
  EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM stories"), kKeys / 3);
  EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM dq_duplicates"), 0)
      << "every item in one story, item_count exact";
}

TEST(LoaderPg, ABackendTerminatedMidBatchIsRetriedAndNothingIsLost) {
  ScratchDatabase db;
  const auto sources = db.AddSources(4);
  Loader loader(db, 2000);
  std::atomic<bool> done{false};
  std::atomic<int> terminated{0};
  std::thread killer([&] {
    pqxx::connection admin(db.Dsn());
    // Only this test's database: tests run in parallel and other loaders must not be hit.
    // Three kills, each while a batch is being written: enough to prove the retry, few enough
    // that the load still finishes.
    while (!done && terminated < 3) {
      pqxx::nontransaction tx(admin);
      terminated += tx.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE application_name = 'tributary-loader-it' AND state = 'active' "
                            "AND datname = current_database() AND pid <> pg_backend_pid()")
                        .size();
      std::this_thread::sleep_for(terminated > 0 ? 300ms : 5ms);
    }
  });
  loader.Load(EmbeddedItems(sources, 20'000, 1, 1'700'000'000));
  done = true;
  killer.join();
  EXPECT_GT(terminated.load(), 0) << "the test must really kill the session mid-batch";
  EXPECT_GT(loader.metrics.retries.Value(), 0);
  EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM items"), 20'000);
  EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM item_embeddings"), 20'000);
  EXPECT_EQ(loader.bus.Completed().size(), 20'000U);
  EXPECT_TRUE(loader.bus.DeadLettered().empty());
}

TEST(LoaderPg, OnlyTheRowsWithAWrongDimensionOrANanAreDeadLettered) {
  ScratchDatabase db;
  const auto sources = db.AddSources(2);
  auto messages = EmbeddedItems(sources, 500, 1, 1'700'000'000);
  auto nan = MakeEmbedded(MakeItem(sources[0], "nan", 1), kDims, 0);
  nan.set_vector(3, std::numeric_limits<float>::quiet_NaN());
  auto short_vector = MakeEmbedded(MakeItem(sources[0], "short", 1), kDims, 0);
  short_vector.mutable_vector()->RemoveLast();
  auto other_dims = MakeEmbedded(MakeItem(sources[1], "dims", 1), kDims + 1, 0);  // same model
  messages.insert(messages.begin() + 100, AsMessage(nan, kItems, 1000));
  messages.insert(messages.begin() + 300, AsMessage(short_vector, kItems, 1001));
  messages.insert(messages.begin() + 400, AsMessage(other_dims, kItems, 1002));
  Loader loader(db);
  loader.Load(messages);
  std::vector<std::int64_t> dead;
  for (const auto& [offset, error] : loader.bus.DeadLettered()) dead.push_back(offset);
  std::sort(dead.begin(), dead.end());
  EXPECT_EQ(dead, (std::vector<std::int64_t>{1000, 1001, 1002}));
  EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM items"), 500);
  EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM item_embeddings"), 500);
  EXPECT_EQ(loader.bus.Completed().size(), 503U) << "dead-lettered messages are completed too";
}

TEST(LoaderPg, WithEmbeddingsOffPlainItemsLoadWithoutVectors) {
  ScratchDatabase db;
  const auto source = db.AddSources(1)[0];
  Loader loader(db, 1000, InputKind::kItem);
  loader.Load({AsMessage(MakeItem(source, "plain", 1), kItems, 0)});
  EXPECT_TRUE(loader.bus.DeadLettered().empty());
  EXPECT_EQ(db.Scalar<std::string>(
                "SELECT concat_ws('|', title, authors::text, enclosures->0->>'type', "
                "s.items_last_seen_at = i.observed_at) FROM items i JOIN sources s ON s.id = i.source_id"),
            "title plain v1|{\"Ann \\\"the\\\" Author\"}|audio/mpeg|t");
  EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM item_embeddings"), 0);
}

TEST(LoaderPg, ASecondModelIsBackfilledSideBySideForUnchangedItems) {
  ScratchDatabase db;
  const auto source = db.AddSources(1)[0];
  Loader loader(db);
  std::vector<kafka::Message> first;
  std::vector<kafka::Message> second;
  for (int i = 0; i < 50; ++i) {
    const auto item = MakeItem(source, "x" + std::to_string(i), 1);
    first.push_back(AsMessage(MakeEmbedded(item, kDims, i, "small"), kItems, i));
    second.push_back(AsMessage(MakeEmbedded(item, 2 * kDims, i, "large"), kItems, 100 + i));
  }
  loader.Load(first);
  loader.Load(second);  // a replay for the new model: the items are unchanged, the vectors new
  EXPECT_EQ(loader.metrics.items_inserted.Value(), 50);
  EXPECT_EQ(loader.metrics.items_unchanged.Value(), 50);
  EXPECT_EQ(db.Scalar<std::string>(
                "SELECT string_agg(m.name || ':' || m.dims || ':' || n, ',' ORDER BY m.name) FROM "
                "(SELECT model_id, count(*) AS n FROM item_embeddings GROUP BY 1) c "
                "JOIN embedding_models m ON m.id = c.model_id"),
            "large:32:50,small:16:50");
  EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM pg_indexes WHERE indexname LIKE "
                           "'item_embeddings_m%_hnsw'"),
            2)
      << "one HNSW index per model";
}

TEST(LoaderPg, WithTheAnnIndexDeferredVectorsLoadWithoutAnIndexAndAnExistingOneIsKept) {
  ScratchDatabase db;
  const auto sources = db.AddSources(1);
  const auto hnsw_indexes = [&] {
    return db.Scalar<int>(
        "SELECT count(*) FROM pg_indexes WHERE indexname LIKE 'item_embeddings_m%_hnsw'");
  };
  {
    Loader deferred(db, 1000, InputKind::kEmbedded, PgStore::kDefaultCopyMinRows,
                    AnnIndex::kDefer);
    deferred.Load(EmbeddedItems(sources, kDims, 1, 1'700'000'000));
    EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM item_embeddings"), kDims);
    EXPECT_EQ(hnsw_indexes(), 0) << "defer: registering the model builds no index";
  }
  const int model = db.Scalar<int>("SELECT id FROM embedding_models");
  {
    pqxx::connection c(db.Dsn());
    pqxx::work tx(c);
    tx.exec1("SELECT tributary_ensure_model_index(" + std::to_string(model) + ")");
    tx.commit();
  }
  Loader deferred_again(db, 1000, InputKind::kEmbedded, PgStore::kDefaultCopyMinRows,
                        AnnIndex::kDefer);
  deferred_again.Load(EmbeddedItems(sources, kDims, 2, 1'700'000'100));
  EXPECT_EQ(deferred_again.metrics.items_updated.Value(), kDims);
  EXPECT_EQ(hnsw_indexes(), 1) << "an index built meanwhile stays and is maintained";
}

TEST(LoaderPg, ANearestNeighbourQueryFindsTheExpectedItem) {
  ScratchDatabase db;
  const auto sources = db.AddSources(1);
  Loader loader(db);
  loader.Load(EmbeddedItems(sources, kDims, 1, 1'700'000'000));  // item-i points at axis i
  const int model = db.Scalar<int>("SELECT id FROM embedding_models");
  EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM pg_indexes WHERE indexname = "
                           "'item_embeddings_m" + std::to_string(model) + "_hnsw'"),
            1);
  std::string query = "[";
  for (int i = 0; i < kDims; ++i) query += std::string(i ? "," : "") + (i == 7 ? "1" : "0");
  query += "]";
  const auto nearest = db.Scalar<std::string>(
      "SELECT i.external_id FROM item_embeddings e JOIN items i ON i.id = e.item_id "
      "WHERE e.model_id = " + std::to_string(model) +
      " ORDER BY e.embedding::vector(" + std::to_string(kDims) + ") <=> '" + query +
      "'::vector(" + std::to_string(kDims) + ") LIMIT 1");
  EXPECT_EQ(nearest, "item-7");
}

TEST(LoaderPg, SourceEventsMergeIntoFetchLogAndUpdateSourcesMonotonically) {
  ScratchDatabase db;
  const auto source = db.AddSources(1)[0];
  Loader loader(db);
  using testing::MakeFetchEvent;
  // Recent times, so dq_error_rates (last 24 h) sees them.
  const std::int64_t t0 = std::time(nullptr) - 3600;
  // Parse event first, fetch event in a later batch: fetch_log gets both halves.
  loader.Load({AsMessage(testing::MakeParseEvent(source, "r1", t0, 12), kEvents, 0)});
  loader.Load({AsMessage(MakeFetchEvent(source, "r1", v1::FETCH_OUTCOME_OK, 200, t0), kEvents, 1)});
  EXPECT_EQ(db.Scalar<std::string>(
                "SELECT concat_ws(',', status, outcome, items_seen, parse_ok, bytes, latency_ms) "
                "FROM fetch_log WHERE request_id = 'r1'"),
            "200,ok,12,t,1000,25");
  // A failure, then a replay of an older success: the failure stays, counted once.
  const auto failure = MakeFetchEvent(source, "r2", v1::FETCH_OUTCOME_HTTP_ERROR, 503, t0 + 60);
  loader.Load({AsMessage(failure, kEvents, 2)});
  loader.Load({AsMessage(failure, kEvents, 2)});  // redelivered
  loader.Load({AsMessage(MakeFetchEvent(source, "r1", v1::FETCH_OUTCOME_OK, 200, t0), kEvents, 3)});
  EXPECT_EQ(db.Scalar<std::string>(
                "SELECT concat_ws(',', last_status, consecutive_failures, last_error_class, etag, "
                "retry_after_until = observed_at + interval '120 s') FROM sources"),
            "503,1,http_503,\"v1\",t");
  EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM fetch_log"), 2);
  EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM dq_error_rates"), 1);
}

// The metadata of a source's own document lands in one feeds row per source, rewritten only by
// a newer observation that changes something; a child's (a sitemap's page) never lands.
TEST(LoaderPg, FeedMetadataLandsOnceAndOnlyANewerChangeRewritesIt) {
  ScratchDatabase db;
  const auto source = db.AddSources(1)[0];
  Loader loader(db);
  const std::int64_t t0 = std::time(nullptr) - 3600;
  const auto with_feed = [&](const std::string& request, std::int64_t at,
                             const std::string& title) {
    auto event = testing::MakeParseEvent(source, request, at, 3);
    auto* feed = event.mutable_parse()->mutable_feed();
    feed->set_id("urn:uuid:feed-1");
    feed->set_title(title);
    feed->set_link("https://example.com/");
    feed->set_subtitle("About \"things\"");
    feed->mutable_updated_at()->set_seconds(t0 - 60);
    auto* author = feed->add_authors();
    author->set_name("Ed Itor");
    author->set_email("ed@example.com");
    feed->add_categories("News");
    feed->add_categories("a,b");
    return event;
  };
  const auto row = [&] {
    return db.Scalar<std::string>(
        "SELECT concat_ws('|', feed_id, title, link, subtitle, updated_at = to_timestamp(" +
        std::to_string(t0 - 60) + "), authors, categories, format, request_id) FROM feeds");
  };
  loader.Load({AsMessage(with_feed("r1", t0, "First"), kEvents, 0)});
  EXPECT_EQ(row(),
            "urn:uuid:feed-1|First|https://example.com/|About \"things\"|t|"
            "[{\"uri\": \"\", \"name\": \"Ed Itor\", \"email\": \"ed@example.com\"}]|"
            "{News,\"a,b\"}|rss2|r1");
  EXPECT_EQ(loader.metrics.feeds_written.Value(), 1);
  const auto version = RowVersions(db, "feeds", "source_id");
  loader.Load({AsMessage(with_feed("r1", t0, "First"), kEvents, 0)});       // redelivered
  loader.Load({AsMessage(with_feed("r2", t0 + 60, "First"), kEvents, 1)});  // newer, the same
  loader.Load({AsMessage(with_feed("r0", t0 - 60, "Older"), kEvents, 2)});  // replayed, older
  EXPECT_EQ(RowVersions(db, "feeds", "source_id"), version) << "nothing new: no rewrite";
  auto child = with_feed("page", t0 + 120, "A page of the sitemap");
  child.set_depth(1);
  child.set_parent_request_id("r2");
  loader.Load({AsMessage(child, kEvents, 3)});
  EXPECT_EQ(db.Scalar<std::string>("SELECT title FROM feeds"), "First");
  loader.Load({AsMessage(with_feed("r3", t0 + 180, "Renamed"), kEvents, 4)});
  EXPECT_EQ(db.Scalar<std::string>("SELECT title || '|' || request_id FROM feeds"), "Renamed|r3");
  EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM feeds"), 1);
}

// A child fetch (a page listed in a sitemap) carries its parent source's id: its outcome is
// logged, with the request that found it, and never touches the source's row.
TEST(LoaderPg, AChildFetchIsLoggedButNeverChangesItsSourcesRow) {
  ScratchDatabase db;
  const auto source = db.AddSources(1)[0];
  Loader loader(db);
  using testing::MakeFetchEvent;
  const std::int64_t t0 = std::time(nullptr) - 3600;
  loader.Load({AsMessage(MakeFetchEvent(source, "sitemap", v1::FETCH_OUTCOME_OK, 200, t0),
                         kEvents, 0)});
  const auto state = [&] {
    return db.Scalar<std::string>(
        "SELECT concat_ws(',', etag, last_status, consecutive_failures, last_error_class, "
        "retry_after_until IS NOT NULL, observed_at = to_timestamp(" + std::to_string(t0) +
        ")) FROM sources");
  };
  const auto before = state();
  EXPECT_EQ(before, "\"v1\",200,0,f,t");
  auto page_ok = MakeFetchEvent(source, "page-1", v1::FETCH_OUTCOME_OK, 200, t0 + 10);
  page_ok.mutable_fetch()->set_etag("\"page\"");
  page_ok.mutable_fetch()->mutable_max_age()->set_seconds(86400);
  auto page_gone = MakeFetchEvent(source, "page-2", v1::FETCH_OUTCOME_HTTP_ERROR, 404, t0 + 20);
  auto page_busy = MakeFetchEvent(source, "page-3", v1::FETCH_OUTCOME_HTTP_ERROR, 503, t0 + 30);
  for (auto* page : {&page_ok, &page_gone, &page_busy}) {
    page->set_depth(1);
    page->set_parent_request_id("sitemap");
  }
  loader.Load({AsMessage(page_ok, kEvents, 1), AsMessage(page_gone, kEvents, 2)});
  loader.Load({AsMessage(page_busy, kEvents, 3)});
  EXPECT_EQ(state(), before) << "validators, failures, Retry-After and observed_at are the "
                                "sitemap's own";
  EXPECT_EQ(db.Scalar<std::string>("SELECT string_agg(request_id || ':' || status || ':' || "
                                   "coalesce(parent_request_id, '-'), ',' ORDER BY request_id) "
                                   "FROM fetch_log"),
            "page-1:200:sitemap,page-2:404:sitemap,page-3:503:sitemap,sitemap:200:-");
}

// fetch_log.items_new: the items each request added, whichever of its items and its events is
// loaded first, never counted twice; and the data-quality views that read it show real rows.
TEST(LoaderPg, FetchLogCountsTheItemsEachRequestAddedAndTheQualityViewsShowThem) {
  ScratchDatabase db;
  const auto source = db.AddSources(1)[0];
  Loader loader(db);
  using testing::MakeFetchEvent;
  using testing::MakeParseEvent;
  const std::int64_t t1 = std::time(nullptr) - 600;
  const std::int64_t t2 = t1 + 60;
  const auto r1 = "req-" + std::to_string(t1);  // MakeItem's request id for that time
  const auto r2 = "req-" + std::to_string(t2);
  const auto item = [&](const std::string& id, int version, std::int64_t at, std::int64_t n) {
    return AsMessage(MakeEmbedded(MakeItem(source, id, version, at), kDims, 0), kItems, n);
  };
  // Request 1: its three items arrive before its events, and twice.
  const std::vector<kafka::Message> first = {item("a0", 1, t1, 0), item("a1", 1, t1, 1),
                                             item("a2", 1, t1, 2)};
  loader.Load(first);
  loader.Load(first);
  loader.Load({AsMessage(MakeFetchEvent(source, r1, v1::FETCH_OUTCOME_OK, 200, t1), kEvents, 0),
               AsMessage(MakeParseEvent(source, r1, t1, 3), kEvents, 1)});
  // Request 2: its events first; then one changed item, two unchanged ones and one new one.
  loader.Load({AsMessage(MakeFetchEvent(source, r2, v1::FETCH_OUTCOME_OK, 200, t2), kEvents, 2),
               AsMessage(MakeParseEvent(source, r2, t2, 4), kEvents, 3)});
  loader.Load({item("a0", 2, t2, 3), item("a1", 1, t2, 4), item("a2", 1, t2, 5),
               item("b0", 1, t2, 6)});
  EXPECT_EQ(db.Scalar<std::string>(
                "SELECT string_agg(concat_ws(':', request_id = '" + r1 + "', url, status, "
                "outcome, items_seen, items_new), ',' ORDER BY request_id) FROM fetch_log"),
            "t:https://example.com/feed:200:ok:3:3,f:https://example.com/feed:200:ok:4:1");
  EXPECT_EQ(db.Scalar<std::string>(
                "SELECT concat_ws(':', fetches, errors, items_seen, items_new) "
                "FROM dq_error_rates"),
            "2:0:7:4");
  EXPECT_EQ(db.Scalar<std::string>(
                "SELECT concat_ws(':', count(*), sum(items_first_seen), "
                "max(items_first_seen) FILTER (WHERE day = (now() AT TIME ZONE 'UTC')::date)) "
                "FROM dq_rows_per_day"),
            "30:4:4")
      << "30 days for the one source, today's four new items";
  EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM dq_duplicates"), 0) << "healthy";
  {
    pqxx::connection c(db.Dsn());
    pqxx::work tx(c);
    tx.exec0("INSERT INTO items (source_id, external_id, canonical_url, observed_at, "
             "content_hash) SELECT source_id, 'b0-again', canonical_url, observed_at, "
             "content_hash FROM items WHERE external_id = 'b0'");
    tx.commit();
  }
  EXPECT_EQ(db.Scalar<std::string>("SELECT concat_ws(':', check_name, detail, n) "
                                   "FROM dq_duplicates"),
            "canonical_url_in_source:https://example.com/b0:2");
}

// The distance a model is embedded for (EmbeddedItem.distance) is registered with it and picks
// its HNSW operator class; a record claiming another distance for the model is dead-lettered.
TEST(LoaderPg, AModelIsRegisteredWithItsDistanceAndIndexedForIt) {
  ScratchDatabase db;
  const auto source = db.AddSources(1)[0];
  Loader loader(db);
  std::int64_t offset = 0;
  for (const std::string distance : {"l2", "inner_product"}) {
    std::vector<kafka::Message> messages;
    for (int i = 0; i < kDims; ++i) {
      auto embedded = MakeEmbedded(MakeItem(source, distance + std::to_string(i), 1), kDims, i,
                                   "model-" + distance);
      embedded.set_distance(distance);
      messages.push_back(AsMessage(embedded, kItems, offset++));
    }
    loader.Load(messages);
    const auto model = db.Scalar<std::string>(
        "SELECT id || ':' || distance FROM embedding_models WHERE name = 'model-" + distance + "'");
    const auto id = model.substr(0, model.find(':'));
    EXPECT_EQ(model.substr(model.find(':') + 1), distance);
    const std::string opclass = distance == "l2" ? "vector_l2_ops" : "vector_ip_ops";
    EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM pg_indexes WHERE indexname = "
                             "'item_embeddings_m" + id + "_hnsw' AND indexdef LIKE '%" +
                             opclass + "%'"),
              1)
        << distance;
  }
  auto wrong = MakeEmbedded(MakeItem(source, "wrong", 1), kDims, 0, "model-l2");
  wrong.set_distance("cosine");
  loader.Load({AsMessage(wrong, kItems, offset++)});
  ASSERT_EQ(loader.bus.DeadLettered().size(), 1U);
  EXPECT_NE(loader.bus.DeadLettered()[0].second.find("invalid.distance"), std::string::npos)
      << loader.bus.DeadLettered()[0].second;
}

}  // namespace
}  // namespace tributary::loader
