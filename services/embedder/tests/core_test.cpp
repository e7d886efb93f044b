#include "services/embedder/core.hpp"

#include <gtest/gtest.h>

#include "common/base/testing/fake_clock.hpp"
#include "common/digest/sha256.hpp"
#include "services/embedder/tests/fakes.hpp"

namespace tributary::embedder {
namespace {

using namespace std::chrono_literals;
using testing::MakeItem;
using testing::MakeMessage;

constexpr std::uint32_t kDims = 16;

struct Harness {
  explicit Harness(std::size_t batch_size = 4, bool with_store = false,
                   ChunkSettings chunks = {})
      : backend(kDims), metrics(registry) {
    CoreSettings settings;
    settings.chunks = chunks;
    settings.output_topic = "t.embedded";
    settings.model = {.name = "m", .version = "v1", .dims = kDims};
    settings.batch = {.max_items = batch_size, .max_tokens = 100'000, .linger = 50ms};
    settings.concurrency = 0;  // batches run inline: deterministic
    settings.retry = {.initial = 100ms, .max = 5s, .quota_retry = 60s};
    core = std::make_unique<Core>(settings, backend, with_store ? &store : nullptr, bus, bus,
                                  bus, metrics, clock,
                                  [this](std::chrono::milliseconds d) {
                                    waits.push_back(d);
                                    if (on_wait) on_wait();
                                    clock.Advance(d);
                                    return keep_waiting;
                                  });
  }
  void Add(const v1::Item& item, std::int64_t offset) { core->Add(MakeMessage(item, offset)); }
  double Metric(metrics::Family<metrics::Counter>& family, std::vector<std::string> labels) {
    return family.Labels(labels).Value();
  }

  tributary::testing::FakeClock clock;
  testing::ScriptedBackend backend;
  testing::FakeStore store;
  runtime::testing::InMemoryBus bus;
  metrics::Registry registry;
  StageMetrics metrics;
  std::vector<std::chrono::milliseconds> waits;
  std::function<void()> on_wait;
  bool keep_waiting = true;
  std::unique_ptr<Core> core;
};

TEST(EmbedderCore, ProducesInInputOrderAndCompletesOnlyAfterTheAcknowledgement) {
  Harness h(3);
  h.bus.hold = true;
  h.Add(MakeItem(1, "a", "Alpha"), 10);
  h.Add(MakeItem(1, "b", "Beta"), 11);
  EXPECT_TRUE(h.backend.requests.empty()) << "the batch is not full yet";
  h.Add(MakeItem(2, "c", "Gamma"), 12);
  ASSERT_EQ(h.backend.requests.size(), 1U);
  EXPECT_EQ(h.backend.requests[0], (std::vector<std::string>{"Alpha", "Beta", "Gamma"}));
  const auto out = testing::Embedded(h.bus);
  ASSERT_EQ(out.size(), 3U);
  EXPECT_EQ(h.bus.Sent()[0].key, "1/a");
  EXPECT_EQ(h.bus.Sent()[2].key, "2/c");
  EXPECT_EQ(h.bus.Sent()[0].topic, "t.embedded");
  EXPECT_EQ(out[1].item().title(), "Beta");
  EXPECT_EQ(out[1].model_name(), "m");
  EXPECT_EQ(out[1].model_version(), "v1");
  EXPECT_EQ(out[1].dims(), kDims);
  EXPECT_EQ(out[1].distance(), "cosine") << "the loader registers the model with it";
  EXPECT_FALSE(out[1].from_cache());
  EXPECT_EQ(std::vector<float>(out[1].vector().begin(), out[1].vector().end()),
            HashEmbed("Beta", kDims));
  EXPECT_TRUE(h.bus.Completed().empty()) << "nothing completes before the broker acks";
  h.bus.DeliverAll();
  EXPECT_EQ(testing::Offsets(h.bus), (std::set<std::int64_t>{10, 11, 12}));
  EXPECT_EQ(h.Metric(h.metrics.items_out, {"backend"}), 3);
}

TEST(EmbedderCore, TextsTheBackendCutAreCounted) {
  Harness h(3);
  h.backend.cut_longer_than = 4;
  h.Add(MakeItem(1, "a", "Alpha"), 10);
  h.Add(MakeItem(1, "b", "Bet"), 11);
  h.Add(MakeItem(2, "c", "Gamma"), 12);
  ASSERT_EQ(h.backend.requests.size(), 1U);
  EXPECT_EQ(h.metrics.truncated.Value(), 2) << "Alpha and Gamma, as the backend reported";
}

TEST(EmbedderCore, ALingeringBatchIsFlushedByTick) {
  Harness h(10);
  h.Add(MakeItem(1, "a", "Alpha"), 1);
  EXPECT_TRUE(h.core->Tick());
  EXPECT_TRUE(h.backend.requests.empty());
  h.clock.Advance(50ms);
  EXPECT_TRUE(h.core->Tick());
  EXPECT_EQ(h.backend.requests.size(), 1U);
  EXPECT_EQ(testing::Offsets(h.bus), std::set<std::int64_t>{1});
}

TEST(EmbedderCore, AnUnchangedItemSentAgainIsServedFromTheLruWithoutTheBackend) {
  Harness h(1);
  const auto item = MakeItem(1, "a", "Alpha", "body");
  h.Add(item, 1);
  h.Add(item, 2);
  EXPECT_EQ(h.backend.InputsSent(), 1U);
  const auto out = testing::Embedded(h.bus);
  ASSERT_EQ(out.size(), 2U);
  EXPECT_FALSE(out[0].from_cache());
  EXPECT_TRUE(out[1].from_cache());
  EXPECT_EQ(out[0].vector().size(), out[1].vector().size());
  EXPECT_EQ(h.Metric(h.metrics.cache_lookups, {"lru", "hit"}), 1);
  EXPECT_EQ(testing::Offsets(h.bus), (std::set<std::int64_t>{1, 2}));
}

TEST(EmbedderCore, AVectorInPostgresSkipsTheBackendInOneLookupPerBatch) {
  Harness h(3, /*with_store=*/true);
  h.store.model = RegisteredModel{.id = 7, .dims = kDims, .distance = "cosine"};
  const auto cached = MakeItem(1, "a", "Alpha");
  h.store.rows[{7, cached.content_hash()}] = Vector(kDims, 0.25F);
  h.Add(cached, 1);
  h.Add(MakeItem(1, "b", "Beta"), 2);
  h.Add(MakeItem(1, "c", "Gamma"), 3);
  EXPECT_EQ(h.store.lookups, 1);
  ASSERT_EQ(h.backend.requests.size(), 1U);
  EXPECT_EQ(h.backend.requests[0], (std::vector<std::string>{"Beta", "Gamma"}));
  const auto out = testing::Embedded(h.bus);
  ASSERT_EQ(out.size(), 3U);
  EXPECT_TRUE(out[0].from_cache());
  EXPECT_EQ(out[0].vector(0), 0.25F);
  EXPECT_EQ(out[0].model_id(), 7);
  EXPECT_EQ(h.Metric(h.metrics.items_out, {"pg"}), 1);
  // And it is in the LRU now: no second database read for it.
  h.Add(cached, 4);
  EXPECT_EQ(h.store.lookups, 1);
  EXPECT_EQ(h.Metric(h.metrics.items_out, {"lru"}), 1);
}

// A feed item whose linked article is merged into its row (issue 19) holds the article's text
// and vector: its feed text, met again when the feed is read in full, is not embedded again
// (the chaos test's second round counted these backend calls). It goes on with the stored
// vector and no passages, which the loader finds current and writes nothing for.
TEST(EmbedderCore, AFeedItemWhoseArticleIsMergedIsNotEmbeddedAgain) {
  Harness h(3, /*with_store=*/true);
  h.store.model = RegisteredModel{.id = 7, .dims = kDims, .distance = "cosine"};
  auto merged = MakeItem(1, "a", "Alpha", "the feed's short summary");
  merged.set_article_wanted(true);
  h.store.merged[{7, "1/a/" + merged.content_hash()}] = Vector(kDims, 0.5F);
  auto waiting = MakeItem(1, "b", "Beta");  // wants its article, not merged yet
  waiting.set_article_wanted(true);
  auto whole = MakeItem(1, "c", "Gamma");  // carries its whole text: never looked up
  h.store.merged[{7, "1/c/" + whole.content_hash()}] = Vector(kDims, 0.75F);
  h.Add(merged, 1);
  h.Add(waiting, 2);
  h.Add(whole, 3);
  EXPECT_EQ(h.store.merged_lookups, 1) << "one look-up per batch";
  ASSERT_EQ(h.backend.requests.size(), 1U);
  EXPECT_EQ(h.backend.requests[0], (std::vector<std::string>{"Beta", "Gamma"}));
  const auto out = testing::Embedded(h.bus);
  ASSERT_EQ(out.size(), 3U);
  EXPECT_EQ(out[0].item().external_id(), "a");
  EXPECT_EQ(std::vector<float>(out[0].vector().begin(), out[0].vector().end()),
            Vector(kDims, 0.5F));
  EXPECT_FALSE(out[0].chunked()) << "the feed text's passages are not the row's";
  EXPECT_EQ(out[0].chunks_size(), 0);
  EXPECT_TRUE(out[0].from_cache());
  EXPECT_TRUE(out[1].chunked());
  EXPECT_EQ(std::vector<float>(out[2].vector().begin(), out[2].vector().end()),
            HashEmbed("Gamma", kDims));
  EXPECT_EQ(h.Metric(h.metrics.cache_lookups, {"article", "hit"}), 1);
  EXPECT_EQ(h.Metric(h.metrics.cache_lookups, {"article", "miss"}), 1);
  h.bus.DeliverAll();
  EXPECT_EQ(testing::Offsets(h.bus), (std::set<std::int64_t>{1, 2, 3}));
}

TEST(EmbedderCore, AnItemRepeatedInOneBatchIsEmbeddedOnce) {
  Harness h(3);
  const auto item = MakeItem(1, "a", "Alpha");
  h.Add(item, 1);
  h.Add(MakeItem(1, "b", "Beta"), 2);
  h.Add(item, 3);
  ASSERT_EQ(h.backend.requests.size(), 1U);
  EXPECT_EQ(h.backend.requests[0].size(), 2U);
  EXPECT_EQ(h.bus.Sent().size(), 3U);
}

TEST(EmbedderCore, TransientFailuresPauseAndRetryWithoutDlqOrCompletion) {
  Harness h(2);
  for (int i = 0; i < 3; ++i) {
    h.backend.failures.push_back({.kind = BackendFailure::kTransient,
                                  .error_class = "backend.http_429",
                                  .status = 429,
                                  .retry_after = 2s});
  }
  h.backend.failures.push_back(
      {.kind = BackendFailure::kTransient, .error_class = "backend.timeout", .message = "timed out"});
  bool paused_while_waiting = true;
  std::size_t completed_while_waiting = 0;
  h.on_wait = [&] {
    paused_while_waiting = paused_while_waiting && h.core->paused();
    completed_while_waiting += h.bus.Completed().size();
  };
  h.Add(MakeItem(1, "a", "Alpha"), 1);
  h.Add(MakeItem(1, "b", "Beta"), 2);
  EXPECT_EQ(h.backend.requests.size(), 5U) << "four failures, then the answer";
  ASSERT_EQ(h.waits.size(), 4U);
  for (int i = 0; i < 3; ++i) EXPECT_GE(h.waits[static_cast<std::size_t>(i)], 2s);
  EXPECT_TRUE(paused_while_waiting);
  EXPECT_EQ(completed_while_waiting, 0U);
  EXPECT_TRUE(h.bus.DeadLettered().empty());
  EXPECT_EQ(testing::Offsets(h.bus), (std::set<std::int64_t>{1, 2}));
  EXPECT_FALSE(h.core->paused());
  EXPECT_EQ(h.Metric(h.metrics.backend_requests, {"429"}), 3);
  EXPECT_EQ(h.Metric(h.metrics.backend_requests, {"timeout"}), 1);
  EXPECT_EQ(h.Metric(h.metrics.backend_requests, {"200"}), 1);
}

TEST(EmbedderCore, ExhaustedQuotaPausesAndSaysSoInMetrics) {
  Harness h(1);
  h.backend.failures.push_back({.kind = BackendFailure::kQuota,
                                .error_class = "backend.quota",
                                .message = "insufficient_quota",
                                .status = 429});
  double quota_gauge = 0;
  double paused_gauge = 0;
  h.on_wait = [&] {
    (void)h.core->Tick();  // the poll thread refreshes the gauges
    quota_gauge = h.metrics.quota_exhausted.Value();
    paused_gauge = h.metrics.paused.Value();
  };
  h.Add(MakeItem(1, "a", "Alpha"), 1);
  ASSERT_EQ(h.waits.size(), 1U);
  EXPECT_EQ(h.waits[0], 60s);
  EXPECT_EQ(quota_gauge, 1);
  EXPECT_EQ(paused_gauge, 1);
  EXPECT_EQ(h.metrics.quota_exhausted.Value(), 0) << "cleared by the next success";
  EXPECT_EQ(testing::Offsets(h.bus), std::set<std::int64_t>{1});
}

TEST(EmbedderCore, AnInputTheBackendRejectsIsFoundByHalvingAndDeadLettered) {
  Harness h(5);
  h.backend.reject_containing = "POISON";
  h.Add(MakeItem(1, "a", "Alpha"), 1);
  h.Add(MakeItem(1, "b", "Beta"), 2);
  h.Add(MakeItem(1, "c", "a POISON title"), 3);
  h.Add(MakeItem(1, "d", "Delta"), 4);
  h.Add(MakeItem(1, "e", "Epsilon"), 5);
  ASSERT_EQ(h.bus.DeadLettered().size(), 1U);
  EXPECT_EQ(h.bus.DeadLettered()[0].first, 3);
  EXPECT_EQ(h.bus.DeadLetterErrors()[0].error_class, "backend.rejected");
  EXPECT_NE(h.bus.DeadLetterErrors()[0].message.find("forbidden"), std::string::npos);
  EXPECT_EQ(h.bus.Sent().size(), 4U);
  EXPECT_EQ(testing::Offsets(h.bus), (std::set<std::int64_t>{1, 2, 3, 4, 5}));
  EXPECT_LE(h.backend.requests.size(), 7U) << "halving, not one request per input";
  EXPECT_TRUE(h.waits.empty()) << "a rejection is not an outage";
}

// Three paragraphs of 12 approximate tokens, windows of 20 with the title: one passage each.
const ChunkSettings kSmallChunks{.tokens = 20, .overlap = 0, .max_chunks = 32};

std::string Paragraph(int n, const std::string& topic = "topic") {
  return "Paragraph " + std::to_string(n) + " is about " + topic + " number " +
         std::to_string(n) + " today.";
}

std::vector<float> VectorOf(const google::protobuf::RepeatedField<float>& v) {
  return {v.begin(), v.end()};
}

TEST(EmbedderCore, ALongItemIsEmbeddedPassageByPassageWithItsOffsets) {
  Harness h(1, false, kSmallChunks);
  const std::string body = Paragraph(1) + "\n\n" + Paragraph(2) + "\n\n" + Paragraph(3);
  h.Add(MakeItem(1, "a", "T", body), 1);
  std::vector<std::string> sent;  // one per request: --batch-size is 1
  for (const auto& request : h.backend.requests) {
    sent.insert(sent.end(), request.begin(), request.end());
  }
  EXPECT_EQ(sent, (std::vector<std::string>{"T\n\n" + Paragraph(1), "T\n\n" + Paragraph(2),
                                            "T\n\n" + Paragraph(3)}));
  const auto out = testing::Embedded(h.bus);
  ASSERT_EQ(out.size(), 1U);
  ASSERT_EQ(out[0].chunks_size(), 3);
  for (int c = 0; c < 3; ++c) {
    const auto& chunk = out[0].chunks(c);
    EXPECT_EQ(chunk.number(), static_cast<std::uint32_t>(c));
    EXPECT_EQ(body.substr(chunk.char_begin(), chunk.char_end() - chunk.char_begin()),
              Paragraph(c + 1));  // ASCII: characters are bytes
    EXPECT_EQ(chunk.content_hash(), digest::Sha256Of("T\n\n" + Paragraph(c + 1)));
    EXPECT_EQ(VectorOf(chunk.vector()), HashEmbed("T\n\n" + Paragraph(c + 1), kDims));
  }
  EXPECT_EQ(VectorOf(out[0].vector()), VectorOf(out[0].chunks(0).vector()))
      << "the item's vector is its first passage's";
}

// Offsets count characters, as SQL's substr() does, not bytes.
TEST(EmbedderCore, PassageOffsetsCountCharacters) {
  Harness h(1, false, kSmallChunks);
  const std::string first = "Ünïcödé paragraph with accents in it here.";
  const std::string body = first + "\n\n" + Paragraph(2);
  h.Add(MakeItem(1, "a", "T", body), 1);
  const auto out = testing::Embedded(h.bus);
  ASSERT_EQ(out.size(), 1U);
  ASSERT_EQ(out[0].chunks_size(), 2);
  EXPECT_EQ(out[0].chunks(0).char_begin(), 0U);
  EXPECT_EQ(out[0].chunks(0).char_end(), 42U);  // 42 characters, 46 bytes
  EXPECT_EQ(out[0].chunks(1).char_begin(), 44U);
}

// A new version of an item with one paragraph edited: only that passage goes to the backend.
TEST(EmbedderCore, EditingOneParagraphReEmbedsOnlyItsPassage) {
  Harness h(1, false, kSmallChunks);
  h.Add(MakeItem(1, "a", "T", Paragraph(1) + "\n\n" + Paragraph(2) + "\n\n" + Paragraph(3)),
        1);
  ASSERT_EQ(h.backend.InputsSent(), 3U);
  h.Add(MakeItem(1, "a", "T",
                 Paragraph(1) + "\n\n" + Paragraph(2, "rivers") + "\n\n" + Paragraph(3)),
        2);
  EXPECT_EQ(h.backend.InputsSent(), 4U);
  EXPECT_EQ(h.backend.requests.back(),
            (std::vector<std::string>{"T\n\n" + Paragraph(2, "rivers")}));
  const auto out = testing::Embedded(h.bus);
  ASSERT_EQ(out.size(), 2U);
  EXPECT_EQ(out[1].chunks_size(), 3);
  EXPECT_EQ(h.Metric(h.metrics.items_out, {"backend"}), 2) << "a passage needed the backend";
}

// Passages found in item_chunks (by their own hash) skip the backend, in the batch's one read.
TEST(EmbedderCore, PassagesInPostgresSkipTheBackend) {
  Harness h(1, /*with_store=*/true, kSmallChunks);
  h.store.model = RegisteredModel{.id = 7, .dims = kDims, .distance = "cosine"};
  h.store.rows[{7, digest::Sha256Of("T\n\n" + Paragraph(1))}] = Vector(kDims, 0.5F);
  h.Add(MakeItem(1, "a", "T", Paragraph(1) + "\n\n" + Paragraph(2)), 1);
  EXPECT_EQ(h.store.lookups, 1);
  ASSERT_EQ(h.backend.requests.size(), 1U);
  EXPECT_EQ(h.backend.requests[0], (std::vector<std::string>{"T\n\n" + Paragraph(2)}));
  const auto out = testing::Embedded(h.bus);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].chunks(0).vector(0), 0.5F);
  EXPECT_EQ(out[0].vector(0), 0.5F);
}

// An item with no text has no passages: its one vector is of its title (or URL, or id).
TEST(EmbedderCore, AnItemWithoutTextHasNoChunks) {
  Harness h(1, false, kSmallChunks);
  h.Add(MakeItem(1, "a", "Only a title"), 1);
  const auto out = testing::Embedded(h.bus);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].chunks_size(), 0);
  EXPECT_EQ(VectorOf(out[0].vector()), HashEmbed("Only a title", kDims));
}

TEST(EmbedderCore, AnItemWithARejectedPassageIsDeadLetteredWhole) {
  Harness h(2, false, kSmallChunks);
  h.backend.reject_containing = "POISON";
  h.Add(MakeItem(1, "a", "T", Paragraph(1) + "\n\n" + "A POISON paragraph is here today."), 1);
  h.Add(MakeItem(1, "b", "T", Paragraph(3)), 2);
  ASSERT_EQ(h.bus.DeadLettered().size(), 1U);
  EXPECT_EQ(h.bus.DeadLettered()[0].first, 1);
  const auto out = testing::Embedded(h.bus);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].item().external_id(), "b");
}

// --batch-size bounds the texts of one request, however many passages the items have.
TEST(EmbedderCore, ABatchOfManyPassagesIsSentInRequestsOfAtMostTheBatchSize) {
  Harness h(2, false, kSmallChunks);
  const std::string body = Paragraph(1) + "\n\n" + Paragraph(2) + "\n\n" + Paragraph(3);
  h.Add(MakeItem(1, "a", "T", body), 1);
  h.Add(MakeItem(1, "b", "U", body), 2);
  ASSERT_EQ(h.backend.requests.size(), 3U);  // 6 passages, 2 per request
  for (const auto& request : h.backend.requests) EXPECT_EQ(request.size(), 2U);
  EXPECT_EQ(testing::Embedded(h.bus).size(), 2U);
}

TEST(EmbedderCore, PassagesPastMaxChunksAreCountedNotEmbedded) {
  Harness h(1, false, {.tokens = 20, .overlap = 0, .max_chunks = 2});
  h.Add(MakeItem(1, "a", "T", Paragraph(1) + "\n\n" + Paragraph(2) + "\n\n" + Paragraph(3)),
        1);
  const auto out = testing::Embedded(h.bus);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].chunks_size(), 2);
  EXPECT_EQ(h.metrics.chunks_dropped.Value(), 1);
}

TEST(EmbedderCore, AWrongDimensionAnswerStopsTheStageWithoutProducing) {
  Harness h(2);
  h.backend.answer_dims = kDims + 1;
  h.Add(MakeItem(1, "a", "Alpha"), 1);
  h.Add(MakeItem(1, "b", "Beta"), 2);
  EXPECT_TRUE(h.bus.Sent().empty());
  EXPECT_TRUE(h.bus.Completed().empty());
  EXPECT_TRUE(h.bus.DeadLettered().empty());
  ASSERT_TRUE(h.core->fatal());
  EXPECT_NE(h.core->fatal()->find("17 dimensions"), std::string::npos) << *h.core->fatal();
  EXPECT_NE(h.core->fatal()->find("--dims is 16"), std::string::npos) << *h.core->fatal();
  EXPECT_FALSE(h.core->Tick());
}

TEST(EmbedderCore, AModelRegisteredWithOtherDimensionsFailsVerification) {
  Harness h(2, /*with_store=*/true);
  h.store.model = RegisteredModel{.id = 3, .dims = 384, .distance = "cosine"};
  const auto verified = h.core->VerifyModel();
  ASSERT_FALSE(verified);
  EXPECT_NE(verified.error().message.find("384"), std::string::npos);
  EXPECT_FALSE(h.core->Tick());
}

TEST(EmbedderCore, AModelRegisteredWithAnotherDistanceFailsVerification) {
  Harness h(2, /*with_store=*/true);
  h.store.model = RegisteredModel{.id = 3, .dims = kDims, .distance = "l2"};
  const auto verified = h.core->VerifyModel();
  ASSERT_FALSE(verified);
  EXPECT_NE(verified.error().message.find("with distance l2"), std::string::npos)
      << verified.error().message;
  EXPECT_NE(verified.error().message.find("configured for cosine (--distance)"),
            std::string::npos)
      << verified.error().message;
  EXPECT_FALSE(h.core->Tick());
}

TEST(EmbedderCore, AnUnregisteredModelIsLookedUpAgainLater) {
  Harness h(1, /*with_store=*/true);
  EXPECT_TRUE(h.core->VerifyModel());
  h.Add(MakeItem(1, "a", "Alpha"), 1);
  EXPECT_EQ(h.store.model_lookups, 1) << "not again within the refresh interval";
  h.store.model = RegisteredModel{.id = 9, .dims = kDims, .distance = "cosine"};
  h.clock.Advance(11s);
  h.Add(MakeItem(1, "b", "Beta"), 2);
  EXPECT_EQ(h.store.model_lookups, 2);
  EXPECT_EQ(h.store.lookups, 1);
  EXPECT_EQ(testing::Embedded(h.bus).back().model_id(), 9);
}

TEST(EmbedderCore, UndecodableAndInvalidMessagesGoToTheDlq) {
  Harness h(1);
  kafka::Message junk;
  junk.offset = 5;
  junk.value = "\xff\xfe not protobuf";
  h.core->Add(junk);
  auto no_hash = MakeItem(1, "x", "X");
  no_hash.clear_content_hash();
  h.Add(no_hash, 6);
  ASSERT_EQ(h.bus.DeadLettered().size(), 2U);
  EXPECT_EQ(h.bus.DeadLetterErrors()[0].error_class, "decode");
  EXPECT_EQ(h.bus.DeadLetterErrors()[1].error_class, "invalid");
  EXPECT_EQ(testing::Offsets(h.bus), (std::set<std::int64_t>{5, 6}));
  EXPECT_TRUE(h.backend.requests.empty());
}

TEST(EmbedderCore, AFailedDeliveryIsProducedAgainByTickAndCompletesOnce) {
  Harness h(1);
  h.bus.fail_next_delivery = 1;
  h.Add(MakeItem(1, "a", "Alpha"), 1);
  EXPECT_TRUE(h.bus.Completed().empty());
  EXPECT_TRUE(h.core->Tick());
  EXPECT_EQ(h.bus.Sent().size(), 1U) << "not produced again before the retry delay";
  h.clock.Advance(1s);
  EXPECT_TRUE(h.core->Tick());
  EXPECT_EQ(h.bus.Sent().size(), 2U);
  EXPECT_EQ(h.bus.Completed(), std::vector<std::int64_t>{1});
  EXPECT_EQ(h.backend.InputsSent(), 1U) << "the vector is kept, not embedded again";
}

TEST(EmbedderCore, StoppingWhileTheBackendIsDownAbandonsTheBatchUnstored) {
  Harness h(1);
  h.backend.failures.push_back({.kind = BackendFailure::kTransient, .error_class = "backend.connection"});
  h.keep_waiting = false;
  h.Add(MakeItem(1, "a", "Alpha"), 1);
  EXPECT_TRUE(h.bus.Completed().empty());
  EXPECT_TRUE(h.bus.Sent().empty());
  EXPECT_TRUE(h.bus.DeadLettered().empty());
  EXPECT_FALSE(h.core->fatal());
}

TEST(EmbedderCore, WorkersEmbedBatchesConcurrentlyAndCompleteEveryMessage) {
  tributary::testing::FakeClock clock;
  testing::ScriptedBackend backend(kDims);
  runtime::testing::InMemoryBus bus;
  metrics::Registry registry;
  StageMetrics metrics(registry);
  CoreSettings settings;
  settings.output_topic = "t.embedded";
  settings.model = {.name = "m", .version = "v1", .dims = kDims};
  settings.batch = {.max_items = 7, .max_tokens = 100'000, .linger = 0ms};
  settings.concurrency = 3;
  Core core(settings, backend, nullptr, bus, bus, bus, metrics, clock);
  core.Start();
  for (int i = 0; i < 200; ++i) {
    core.Add(MakeMessage(MakeItem(1, std::to_string(i), "title " + std::to_string(i)), i));
  }
  (void)core.Tick();  // the last, partial batch (linger 0)
  // Workers finish on their own threads; wait for the outcome, not for a time.
  while (testing::Offsets(bus).size() < 200) std::this_thread::yield();
  core.Stop();
  EXPECT_EQ(testing::Offsets(bus).size(), 200U);
  EXPECT_EQ(backend.InputsSent(), 200U);
  EXPECT_TRUE(bus.DeadLettered().empty());
}

}  // namespace
}  // namespace tributary::embedder
