// Full-text articles (issue 19) on the real PostgreSQL: the loader records which new or changed
// item versions want their page, merges a fetched page into the item's own row (one row, the
// feed's text kept in summary, the page's vector and passages in place of the feed text's),
// ignores a page fetched for a version the row no longer holds, and records a failed fetch on
// the item without touching its source.
#include <gtest/gtest.h>

#include <ctime>

#include "common/digest/sha256.hpp"
#include "services/loader/tests/fixtures.hpp"
#include "services/loader/tests/loader_harness.hpp"
#include "tests/support/scratch_database.hpp"

namespace tributary::loader {
namespace {

using testing::AsMessage;
using testing::Hash;
using testing::MakeEmbedded;
using testing::MakeItem;
using testing::WithChunks;
using tributary::testing::ScratchDatabase;

constexpr const char* kItems = testing::kItemsTopic;
constexpr const char* kEvents = testing::kEventsTopic;
constexpr int kDims = 8;

// Loads `messages` in one batch, none of them dead-lettered.
void Load(testing::Loader& loader, const std::vector<kafka::Message>& messages) {
  loader.Load(messages);
  EXPECT_TRUE(loader.bus.DeadLettered().empty()) << "nothing dead-lettered";
}

// Runs one statement as the test's stand-in for another writer (the scheduler, an operator).
void Sql(ScratchDatabase& db, const std::string& statement) {
  pqxx::connection c(db.Dsn());
  pqxx::work tx(c);
  tx.exec0(statement);
  tx.commit();
}

const std::int64_t kT1 = std::time(nullptr) - 7200;

// The feed's version `version` of item "a", wanting its page, embedded with one passage.
kafka::Message FeedItem(std::int64_t source, int version, std::int64_t observed,
                        std::int64_t offset, bool wanted = true) {
  auto item = MakeItem(source, "a", version, observed);
  item.set_article_wanted(wanted);
  return AsMessage(WithChunks(MakeEmbedded(item, kDims, 0), 1, version), kItems, offset);
}

// The page fetched for the feed's version `version` (observed at `observed`), as the parser
// makes it, embedded with three passages.
kafka::Message Article(std::int64_t source, int version, std::int64_t observed,
                       const std::string& text, std::int64_t fetched, std::int64_t offset) {
  v1::Item article;
  article.set_source_id(source);
  article.set_external_id("a");
  article.set_title("title");
  article.set_content_text(text);
  article.set_request_id("article-" + std::to_string(version));
  article.mutable_observed_at()->set_seconds(observed);
  article.set_content_hash(digest::Sha256Of(Hash(version) + text));
  auto* merge = article.mutable_article();
  merge->set_item_content_hash(Hash(version));
  merge->mutable_fetched_at()->set_seconds(fetched);
  merge->set_url("https://example.com/a/page");
  return AsMessage(WithChunks(MakeEmbedded(article, kDims, 1), 3, 100 + version), kItems,
                   offset);
}

std::string Row(ScratchDatabase& db) {
  return db.Scalar<std::string>(
      "SELECT concat_ws('|', coalesce(i.content_text, ''), i.summary, "
      "       coalesce(i.article_state, '-'), coalesce(i.article_hash = e.content_hash, false), "
      "       (SELECT count(*) FROM item_chunks c "
      "                                          WHERE c.item_id = i.id)) "
      "  FROM items i JOIN item_embeddings e ON e.item_id = i.id");
}

TEST(LoaderArticles, OnlyANewOrChangedVersionAsksForItsPage) {
  ScratchDatabase db;
  const auto source = db.AddSources(1)[0];
  testing::Loader loader(db, 100);
  Load(loader, {FeedItem(source, 1, kT1, 0)});
  EXPECT_EQ(db.Scalar<std::string>("SELECT article_state FROM items"), "wanted");
  Sql(db, "UPDATE items SET article_state = 'requested'");  // the scheduler asked
  Load(loader, {FeedItem(source, 1, kT1 + 60, 1)});  // the next poll: the same version
  EXPECT_EQ(db.Scalar<std::string>("SELECT article_state FROM items"), "requested")
      << "an unchanged item asks for nothing again";
  Load(loader, {FeedItem(source, 2, kT1 + 120, 2, /*wanted=*/false)});
  EXPECT_EQ(db.Scalar<std::string>("SELECT coalesce(article_state, 'none') FROM items"), "none")
      << "a changed version under full_text never";
}

TEST(LoaderArticles, ThePageMergesIntoTheItemsOwnRowAndARedeliveryChangesNothing) {
  ScratchDatabase db;
  const auto source = db.AddSources(1)[0];
  testing::Loader loader(db, 100);
  Load(loader, {FeedItem(source, 1, kT1, 0)});
  EXPECT_EQ(Row(db), "|summary v1|wanted|f|1");
  Load(loader, {Article(source, 1, kT1, "The whole story.", kT1 + 30, 1)});
  EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM items"), 1) << "one row per item";
  EXPECT_EQ(Row(db), "The whole story.|summary v1|done|t|3")
      << "the page's text and passages, the feed's summary kept";
  EXPECT_EQ(db.Scalar<std::string>("SELECT article_url || ' ' || article_request_id FROM items"),
            "https://example.com/a/page article-1");
  EXPECT_EQ(loader.metrics.articles_merged.Value(), 1);
  const auto row_versions = [&] {
    return db.Scalar<std::string>(
        "SELECT (SELECT xmin::text FROM items) || (SELECT xmin::text FROM item_embeddings)");
  };
  const auto versions = row_versions();
  // The article again, and the feed's own version again (the next poll, or a replay).
  Load(loader, {Article(source, 1, kT1, "The whole story.", kT1 + 30, 2)});
  Load(loader, {FeedItem(source, 1, kT1, 3)});
  EXPECT_EQ(Row(db), "The whole story.|summary v1|done|t|3")
      << "the feed text's vector does not come back over the article's";
  EXPECT_EQ(row_versions(), versions)
      << "no row rewritten";
}

// `tributary reembed` sends a merged item as its article: its missing vector and passages come
// back, the row itself is not rewritten.
TEST(LoaderArticles, AMergedItemsMissingVectorAndPassagesComeBackFromItsArticle) {
  ScratchDatabase db;
  const auto source = db.AddSources(1)[0];
  testing::Loader loader(db, 100);
  Load(loader, {FeedItem(source, 1, kT1, 0)});
  Load(loader, {Article(source, 1, kT1, "The whole story.", kT1 + 30, 1)});
  const auto item_version = db.Scalar<std::string>("SELECT xmin::text FROM items");
  Sql(db, "DELETE FROM item_chunks");
  Load(loader, {Article(source, 1, kT1, "The whole story.", kT1 + 30, 2)});
  EXPECT_EQ(Row(db), "The whole story.|summary v1|done|t|3");
  Sql(db, "DELETE FROM item_embeddings");
  Load(loader, {Article(source, 1, kT1, "The whole story.", kT1 + 30, 3)});
  EXPECT_EQ(Row(db), "The whole story.|summary v1|done|t|3");
  EXPECT_EQ(db.Scalar<std::string>("SELECT xmin::text FROM items"), item_version)
      << "the item's row is not rewritten";
}

TEST(LoaderArticles, AFeedItemWithContentButNoSummaryKeepsItsTextInSummary) {
  ScratchDatabase db;
  const auto source = db.AddSources(1)[0];
  testing::Loader loader(db, 100);
  auto item = MakeItem(source, "a", 1, kT1);
  item.clear_summary();
  item.set_content_text("The feed's first paragraph.");
  item.set_article_wanted(true);
  Load(loader, {AsMessage(WithChunks(MakeEmbedded(item, kDims, 0), 1, 1), kItems, 0)});
  Load(loader, {Article(source, 1, kT1, "The whole story.", kT1 + 30, 1)});
  Load(loader, {Article(source, 1, kT1, "The whole story, corrected.", kT1 + 90, 2)});
  EXPECT_EQ(Row(db), "The whole story, corrected.|The feed's first paragraph.|done|t|3")
      << "a later fetch of the page replaces the text; the feed's stays in summary";
}

TEST(LoaderArticles, APageFetchedForAVersionTheRowNoLongerHoldsIsIgnored) {
  ScratchDatabase db;
  const auto source = db.AddSources(1)[0];
  testing::Loader loader(db, 100);
  Load(loader, {FeedItem(source, 1, kT1, 0)});
  Load(loader, {FeedItem(source, 2, kT1 + 60, 1)});  // the feed changed the item meanwhile
  Load(loader, {Article(source, 1, kT1, "The old story.", kT1 + 90, 2)});
  EXPECT_EQ(Row(db), "|summary v2|wanted|f|1") << "version 2 waits for its own page";
  EXPECT_EQ(loader.metrics.articles_merged.Value(), 0);
}

TEST(LoaderArticles, AFailedPageFetchMarksTheItemAndNeverItsSource) {
  ScratchDatabase db;
  const auto source = db.AddSources(1)[0];
  testing::Loader loader(db, 100);
  Load(loader, {FeedItem(source, 1, kT1, 0)});
  const auto source_state = [&] {
    return db.Scalar<std::string>(
        "SELECT concat_ws(',', consecutive_failures, last_error, observed_at) FROM sources");
  };
  const auto source_row = source_state();
  auto gone = testing::MakeFetchEvent(source, "article-1", v1::FETCH_OUTCOME_HTTP_ERROR, 404,
                                      kT1 + 30);
  gone.set_depth(1);
  gone.set_parent_request_id("req-" + std::to_string(kT1));
  gone.mutable_article_of()->set_external_id("a");
  gone.mutable_article_of()->set_content_hash(Hash(1));
  Load(loader, {AsMessage(gone, kEvents, 0)});
  EXPECT_EQ(db.Scalar<std::string>("SELECT article_state || ': ' || article_error FROM items"),
            "failed: HTTP 404");
  EXPECT_EQ(Row(db), "|summary v1|failed|f|1") << "the item as the feed gave it";
  EXPECT_EQ(source_state(), source_row);
  EXPECT_EQ(db.Scalar<std::string>("SELECT status::text FROM fetch_log WHERE request_id = "
                                   "'article-1'"),
            "404")
      << "visible in fetch_log";
  EXPECT_EQ(loader.metrics.articles_failed.Value(), 1);
}

}  // namespace
}  // namespace tributary::loader
