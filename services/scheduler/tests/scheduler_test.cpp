// A scheduling round's decisions against an in-memory store, no database: who leads, when a
// finished source is due next, which requests are produced, which leases are given back.
#include "services/scheduler/scheduler.hpp"

#include <gtest/gtest.h>

#include "common/codec/codec.hpp"
#include "common/metrics/registry.hpp"

namespace tributary::scheduler {
namespace {

class MemoryStore final : public ScheduleStore {
 public:
  Result<bool> Lead() override { return leader; }
  Result<SourceCounts> Count(int) override { return SourceCounts{.due = 2, .failing = 1}; }
  Result<std::vector<std::pair<FinishedSource, NextFetch>>> Reschedule(
      int, const std::function<NextFetch(const FinishedSource&)>& next) override {
    std::vector<std::pair<FinishedSource, NextFetch>> out;
    for (const auto& source : finished) {
      out.emplace_back(source, next(source));
      next_fetch_at[source.id] = out.back().second.at;
    }
    finished.clear();
    return out;
  }
  Result<std::vector<LeasedSource>> LeaseDue(
      int batch, Seconds, const std::function<std::string()>& new_request_id) override {
    std::vector<LeasedSource> out;
    for (const auto& source : due) {
      if (static_cast<int>(out.size()) == batch) break;
      out.push_back({.source = source, .request_id = new_request_id(), .now_unix = 1'800'000'000});
    }
    due.clear();
    leased = out;
    return out;
  }
  Result<void> Release(const std::vector<LeasedSource>& unsent) override {
    released = unsent;
    return {};
  }
  Result<std::vector<WantedArticle>> TakeWantedArticles(int batch, Seconds,
                                                        std::int64_t* now_unix) override {
    std::vector<WantedArticle> out;
    while (!wanted_articles.empty() && static_cast<int>(out.size()) < batch) {
      out.push_back(wanted_articles.front());
      wanted_articles.erase(wanted_articles.begin());
    }
    *now_unix = 1'800'000'000;
    return out;
  }
  Result<void> ReturnArticles(const std::vector<WantedArticle>& unsent) override {
    returned_articles = unsent;
    return {};
  }

  bool leader = true;
  std::vector<FinishedSource> finished;
  std::vector<DueSource> due;
  std::map<std::int64_t, TimePoint> next_fetch_at;
  std::vector<LeasedSource> leased;
  std::vector<LeasedSource> released;
  std::vector<WantedArticle> wanted_articles;
  std::vector<WantedArticle> returned_articles;
};

// Acknowledges every record but those whose key is in `refuse`.
class MemorySink final : public RequestSink {
 public:
  std::vector<bool> SendAll(std::vector<kafka::Record> records) override {
    std::vector<bool> acked;
    for (auto& record : records) {
      acked.push_back(!refuse.contains(record.key));
      sent.push_back(std::move(record));
    }
    return acked;
  }
  std::set<std::string> refuse;
  std::vector<kafka::Record> sent;
};

struct Harness {
  MemoryStore store;
  MemorySink sink;
  metrics::Registry registry;
  SchedulerMetrics metrics{registry};
  Scheduler scheduler{store, sink,
                      {.requests_topic = "t.fetch.requests", .batch = 10, .failure_threshold = 3},
                      metrics, [] { return 0.5; }};
};

const TimePoint kNow{Seconds(1'800'000'000)};

TEST(SchedulerDecisions, AStandbyDecidesNothing) {
  Harness h;
  h.store.leader = false;
  h.store.due = {{.id = 1, .url = "https://a.example/"}};
  const auto round = h.scheduler.Round();
  ASSERT_TRUE(round);
  EXPECT_FALSE(round->leader);
  EXPECT_TRUE(h.sink.sent.empty());
  EXPECT_EQ(h.store.due.size(), 1U) << "nothing leased";
  EXPECT_EQ(h.metrics.leader.Value(), 0);
}

TEST(SchedulerDecisions, AFinishedSourceIsDueAfterItsIntervalOrBackedOffAfterFailures) {
  Harness h;
  h.store.finished = {
      {.id = 1, .timing = {.interval = Seconds(600)}, .url = "https://ok.example/", .now = kNow},
      {.id = 2,
       .timing = {.interval = Seconds(600), .consecutive_failures = 3},
       .url = "https://down.example/",
       .last_error_class = "http_503",
       .now = kNow}};
  const auto round = h.scheduler.Round();
  ASSERT_TRUE(round);
  EXPECT_EQ(round->rescheduled, 2U);
  EXPECT_EQ(h.store.next_fetch_at[1], kNow + Seconds(600)) << "the interval (no jitter at 0.5)";
  EXPECT_EQ(h.store.next_fetch_at[2], kNow + Seconds(600 * 8)) << "2^3 times the interval";
  EXPECT_EQ(h.metrics.due.Value(), 2);
  EXPECT_EQ(h.metrics.failing.Value(), 1);
}

TEST(SchedulerDecisions, LeasedSourcesBecomeRequestsUnderTheirLeasedIds) {
  Harness h;
  h.store.due = {{.id = 7, .url = "https://a.example/feed", .kind = "rss", .etag = "\"e\""},
                 {.id = 8, .url = "https://b.example/feed", .lease_expired = true}};
  const auto round = h.scheduler.Round();
  ASSERT_TRUE(round);
  EXPECT_EQ(round->emitted, 2U);
  EXPECT_EQ(round->failed, 0U);
  ASSERT_EQ(h.sink.sent.size(), 2U);
  EXPECT_EQ(h.sink.sent[0].key, "a.example") << "keyed by host";
  EXPECT_EQ(h.sink.sent[1].key, "b.example");
  EXPECT_EQ(h.sink.sent[0].topic, "t.fetch.requests");
  const auto request = codec::Decode<v1::FetchRequest>(h.sink.sent[0].value);
  ASSERT_TRUE(request);
  EXPECT_EQ(request->request_id(), h.store.leased[0].request_id);
  EXPECT_EQ(request->etag(), "\"e\"");
  EXPECT_EQ(codec::Decode<v1::FetchRequest>(h.sink.sent[1].value)->attempt(), 2U);
  EXPECT_TRUE(kafka::FindHeader(h.sink.sent[0].headers, "traceparent").has_value());
  EXPECT_TRUE(h.store.released.empty());
}

TEST(SchedulerDecisions, EverySourceOnOneHostIsKeyedByThatHost) {
  // One key per host puts all of a host's fetches on one partition, so one fetcher replica
  // owns the host and its politeness limits hold however many replicas run.
  Harness h;
  h.store.due = {{.id = 1, .url = "https://news.example.com/world.xml"},
                 {.id = 2, .url = "http://NEWS.example.com:80/sport.xml"},
                 {.id = 3, .url = "https://blog.example.com/feed"}};
  ASSERT_TRUE(h.scheduler.Round());
  ASSERT_EQ(h.sink.sent.size(), 3U);
  EXPECT_EQ(h.sink.sent[0].key, "news.example.com");
  EXPECT_EQ(h.sink.sent[1].key, "news.example.com");
  EXPECT_EQ(h.sink.sent[2].key, "blog.example.com");
}

TEST(SchedulerDecisions, RequestsTheBrokerRefusesGiveTheirLeasesBack) {
  Harness h;
  h.store.due = {{.id = 1, .url = "https://a.example/"}, {.id = 2, .url = "https://b.example/"}};
  h.sink.refuse = {"b.example"};
  const auto round = h.scheduler.Round();
  ASSERT_TRUE(round);
  EXPECT_EQ(round->emitted, 1U);
  EXPECT_EQ(round->failed, 1U);
  ASSERT_EQ(h.store.released.size(), 1U);
  EXPECT_EQ(h.store.released[0].source.id, 2);
  EXPECT_EQ(h.metrics.emit_failures.Value(), 1);
}

WantedArticle ArticleOf(std::int64_t item_id, std::string url) {
  return {.item_id = item_id,
          .source_id = 3,
          .external_id = "guid-" + std::to_string(item_id),
          .url = std::move(url),
          .content_hash = std::string(32, static_cast<char>(item_id)),
          .observed_at_us = 1'700'000'000'123'456,
          .item_request_id = "feed-request",
          .source_config_json = R"({"respect_robots": true})",
          .title = "Story " + std::to_string(item_id)};
}

TEST(SchedulerArticles, AWantedArticleBecomesAPageFetchOfThatItemVersion) {
  Harness h;
  h.store.wanted_articles = {ArticleOf(11, "https://news.example.com/2026/story")};
  const auto round = h.scheduler.Round();
  ASSERT_TRUE(round);
  EXPECT_EQ(round->articles, 1U);
  ASSERT_EQ(h.sink.sent.size(), 1U);
  EXPECT_EQ(h.sink.sent[0].key, "news.example.com") << "the page's host: its politeness";
  const auto request = codec::Decode<v1::FetchRequest>(h.sink.sent[0].value);
  ASSERT_TRUE(request);
  EXPECT_EQ(request->url(), "https://news.example.com/2026/story");
  EXPECT_EQ(request->kind(), v1::SOURCE_KIND_PAGE);
  EXPECT_EQ(request->source_id(), 3);
  EXPECT_EQ(request->depth(), 1U) << "a child: never the source's own outcome";
  EXPECT_EQ(request->parent_request_id(), "feed-request");
  EXPECT_TRUE(request->options().respect_robots()) << "the source's options travel with it";
  EXPECT_EQ(request->article_of().external_id(), "guid-11");
  EXPECT_EQ(request->article_of().content_hash(), std::string(32, '\x0b'));
  EXPECT_EQ(request->article_of().observed_at().seconds(), 1'700'000'000);
  EXPECT_EQ(request->article_of().observed_at().nanos(), 123'456'000);
  EXPECT_EQ(request->article_of().title(), "Story 11");
  EXPECT_EQ(request->request_id(), ArticleRequestId(ArticleOf(11, "")))
      << "one request id per item version";
  EXPECT_NE(request->request_id(), ArticleRequestId(ArticleOf(12, "")));
}

TEST(SchedulerArticles, ArticleRequestsTheBrokerRefusesAreWantedAgain) {
  Harness h;
  h.store.wanted_articles = {ArticleOf(1, "https://a.example/1"),
                             ArticleOf(2, "https://b.example/2")};
  h.sink.refuse = {"b.example"};
  const auto round = h.scheduler.Round();
  ASSERT_TRUE(round);
  EXPECT_EQ(round->articles, 1U);
  ASSERT_EQ(h.store.returned_articles.size(), 1U);
  EXPECT_EQ(h.store.returned_articles[0].item_id, 2);
}

}  // namespace
}  // namespace tributary::scheduler
