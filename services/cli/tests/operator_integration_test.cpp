// decode, dlq list/redrive, replay, status and search as an operator runs them: the real
// binary against the real broker (topics under a unique prefix) and a scratch database with the
// real migrations.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafkacpp.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "common/codec/codec.hpp"
#include "common/kafka/dlq.hpp"
#include "common/kafka/producer.hpp"
#include "services/cli/kafka_tools.hpp"
#include "services/cli/search_command.hpp"
#include "services/embedder/hash_backend.hpp"
#include "services/embedder/text.hpp"
#include "tests/support/scratch_database.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/kafka_admin.hpp"
#include "tests/support/test_env.hpp"
#include "tributary/v1/fetch.pb.h"
#include "tributary/v1/item.pb.h"
#include "tributary/v1/source_event.pb.h"

namespace tributary::cli {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
namespace t = ::tributary::testing;

class OperatorCli : public ::testing::Test {
 protected:
  OperatorCli()
      : brokers_(t::RequireEnv("TRIBUTARY_KAFKA_BROKERS")), prefix_(t::UniqueName("it-ops")) {
    settings_.brokers = brokers_;
    settings_.topic_prefix = prefix_;
  }

  // Kafka flags for every command but search and index, which need only PostgreSQL.
  t::CommandResult Cli(const std::string& args, bool with_stderr = true) {
    const bool kafka = !args.starts_with("search") && !args.starts_with("index");
    return t::RunCommand((t::BinDir() / "tributary").string() + " " + args +
                         (kafka ? " --kafka-brokers " + brokers_ + " --topic-prefix " + prefix_
                                : std::string()) +
                         " --log-level error" + (with_stderr ? " 2>&1" : " 2>/dev/null"));
  }
  nlohmann::json Json(const std::string& args) {
    const auto result = Cli(args + " --json", false);
    EXPECT_EQ(result.exit_code, 0) << args << "\n" << result.output;
    return nlohmann::json::parse(result.output, nullptr, false);
  }
  std::vector<nlohmann::json> Lines(const std::string& args) {
    const auto result = Cli(args, false);
    EXPECT_EQ(result.exit_code, 0) << args << "\n" << result.output;
    std::vector<nlohmann::json> out;
    std::istringstream in(result.output);
    for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
    return out;
  }
  std::string Topic(const std::string& name) { return prefix_ + "." + name; }
  void Produce(kafka::Producer& producer, const std::string& name, const std::string& key,
               const google::protobuf::Message& message) {
    ASSERT_TRUE(producer
                    .ProduceAndWait({Topic(name), key, codec::Encode(message),
                                     {{"content-type", "application/x-protobuf"}}},
                                    30s)
                    .has_value());
  }
  std::int64_t High(const std::string& topic, int partition = 0) {
    KafkaClient client(settings_);
    return client.QueryWatermarks(topic, partition).high;
  }

  std::string brokers_;
  std::string prefix_;
  kafka::Settings settings_;
};

TEST_F(OperatorCli, DecodePrintsEveryMessageTypeAsJsonLines) {
  for (const auto* name : {"fetch.requests", "documents", "items", "embedded", "source.events"}) {
    t::CreateTopic(brokers_, Topic(name), 1);
  }
  kafka::Producer producer(settings_, "test");
  v1::FetchRequest request;
  request.set_source_id(5);
  request.set_url("https://a.example/feed");
  Produce(producer, "fetch.requests", "5", request);
  v1::FetchedDocument document;
  *document.mutable_request() = request;
  document.set_status(200);
  document.set_body(std::string(2000, 'x'));
  Produce(producer, "documents", "5", document);
  v1::Item item;
  item.set_source_id(5);
  item.set_external_id("guid-1");
  item.set_title("First");
  Produce(producer, "items", "5/guid-1", item);
  v1::EmbeddedItem embedded;
  *embedded.mutable_item() = item;
  embedded.set_dims(256);
  for (int i = 0; i < 256; ++i) embedded.add_vector(0.01F);
  Produce(producer, "embedded", "5/guid-1", embedded);
  v1::SourceEvent event;
  event.set_source_id(5);
  event.mutable_fetch()->set_outcome(v1::FETCH_OUTCOME_NOT_MODIFIED);
  Produce(producer, "source.events", "5", event);
  // A person's JSON record, as kafka-console-producer would write it.
  ASSERT_TRUE(producer
                  .ProduceAndWait({Topic("items"), "5/guid-2",
                                   R"({"sourceId": "5", "externalId": "guid-2",
                                       "title": "Second"})",
                                   {}},
                                  30s)
                  .has_value());

  const auto requests = Lines("decode fetch.requests --from-beginning");
  ASSERT_EQ(requests.size(), 1U);
  EXPECT_EQ(requests[0]["topic"], Topic("fetch.requests"));
  EXPECT_EQ(requests[0]["partition"], 0);
  EXPECT_EQ(requests[0]["offset"], 0);
  EXPECT_EQ(requests[0]["key"], "5");
  EXPECT_TRUE(requests[0]["timestamp"].is_string());
  EXPECT_EQ(requests[0]["headers"]["content-type"], "application/x-protobuf");
  EXPECT_EQ(requests[0]["type"], "tributary.v1.FetchRequest");
  EXPECT_EQ(requests[0]["value"]["url"], "https://a.example/feed");

  const auto documents = Lines("decode documents --from-beginning");
  ASSERT_EQ(documents.size(), 1U);
  EXPECT_EQ(documents[0]["value"]["bodySize"], 2000);
  EXPECT_EQ(documents[0]["value"]["bodyTruncated"], true);
  EXPECT_LT(documents[0]["value"]["body"].get<std::string>().size(), 2000U);

  const auto items = Lines("decode items --from-beginning");
  ASSERT_EQ(items.size(), 2U);
  EXPECT_EQ(items[0]["value"]["title"], "First");
  EXPECT_EQ(items[1]["value"]["title"], "Second") << "JSON values decode too";
  EXPECT_EQ(Lines("decode " + Topic("items") + " --offset 1").size(), 1U) << "full name, offset";
  EXPECT_EQ(Lines("decode items --from-beginning --max 1").size(), 1U);
  EXPECT_EQ(Lines("decode items --last 1")[0]["offset"], 1) << "default: the tail";

  const auto vectors = Lines("decode embedded --from-beginning");
  ASSERT_EQ(vectors.size(), 1U);
  EXPECT_EQ(vectors[0]["value"]["vectorDims"], 256);
  EXPECT_FALSE(vectors[0]["value"].contains("vector"));
  EXPECT_EQ(Lines("decode embedded --from-beginning --full")[0]["value"]["vector"].size(), 256U);

  const auto events = Lines("decode source.events --from-beginning");
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0]["type"], "tributary.v1.SourceEvent");
  EXPECT_EQ(events[0]["value"]["fetch"]["outcome"], "FETCH_OUTCOME_NOT_MODIFIED");

  // --follow waits for new records (from a fixed offset, so the test cannot race the start).
  {
    t::ChildProcess follower({(t::BinDir() / "tributary").string(), "decode", "items", "--follow",
                              "--offset", "2", "--max", "1", "--kafka-brokers", brokers_,
                              "--topic-prefix", prefix_, "--log-level", "error"});
    v1::Item later;
    later.set_title("Later");
    Produce(producer, "items", "5/guid-3", later);
    const auto line = follower.ReadLine(60s);
    ASSERT_TRUE(line.has_value());
    EXPECT_EQ(nlohmann::json::parse(*line)["value"]["title"], "Later");
    EXPECT_EQ(follower.Wait(60s), 0) << "--max 1 ends it";
  }

  const auto missing = Cli("decode nosuchtopic");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.output, HasSubstr("nosuchtopic"));
  const auto bad_partition = Cli("decode items --partition 9");
  EXPECT_EQ(bad_partition.exit_code, 2);
  EXPECT_THAT(bad_partition.output, HasSubstr("no partition 9"));
}

TEST_F(OperatorCli, DlqListAndRedriveOnceWithLineage) {
  t::CreateTopic(brokers_, Topic("items"), 1);
  t::CreateTopic(brokers_, Topic("dlq.loader"), 1);
  kafka::Producer producer(settings_, "test");
  kafka::DlqPublisher dlq(producer, settings_, "loader");
  const kafka::Message poison{.topic = Topic("items"), .partition = 0, .offset = 17,
                              .key = "9/bad", .value = "not a protobuf \xFF",
                              .headers = {{"traceparent", "00-abc-def-01"}}};
  ASSERT_TRUE(dlq.Publish(poison, {ErrorKind::kPermanent, "decode", "bad wire format"}));

  const auto listed = Json("dlq list loader");
  ASSERT_EQ(listed["entries"].size(), 1U);
  const auto& entry = listed["entries"][0];
  EXPECT_EQ(entry["original_topic"], Topic("items"));
  EXPECT_EQ(entry["original_partition"], "0");
  EXPECT_EQ(entry["original_offset"], "17");
  EXPECT_EQ(entry["error_class"], "decode");
  EXPECT_EQ(entry["error"], "bad wire format");
  EXPECT_EQ(entry["stage"], "loader");
  EXPECT_EQ(entry["key"], "9/bad");
  EXPECT_FALSE(entry["failed_at"].get<std::string>().empty());
  EXPECT_EQ(listed["depth"][Topic("dlq.loader")], 1);
  const auto text = Cli("dlq list");
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_THAT(text.output, HasSubstr("bad wire format"));
  EXPECT_THAT(text.output, HasSubstr(Topic("dlq.loader")));

  const auto dry = Json("dlq redrive loader --dry-run");
  EXPECT_EQ(dry["dry_run"], true);
  ASSERT_EQ(dry["redriven"].size(), 1U);
  EXPECT_EQ(High(Topic("items")), 0) << "a dry run produces nothing";

  const auto group = "tributary-dlq-redrive-loader";
  const auto redriven = Json("dlq redrive loader");
  ASSERT_EQ(redriven["redriven"].size(), 1U);
  EXPECT_EQ(redriven["group"], group);
  const auto back = t::ReadAll(brokers_, Topic("items"), 1, 30s);
  ASSERT_EQ(back.size(), 1U);
  EXPECT_EQ(back[0].key, "9/bad");
  EXPECT_EQ(back[0].value, poison.value);
  EXPECT_EQ(back[0].Header("traceparent"), "00-abc-def-01");
  EXPECT_EQ(back[0].Header(kafka::kHeaderRedrivenFrom), Topic("dlq.loader") + "/0/0");
  EXPECT_EQ(back[0].Header(kafka::kHeaderRedriveCount), "1");
  EXPECT_FALSE(back[0].Header(kafka::kHeaderErrorClass)) << "the DLQ headers stay behind";
  EXPECT_EQ(t::CommittedOffsets(brokers_, group, Topic("dlq.loader"), 1).at(0), 1);

  EXPECT_TRUE(Json("dlq redrive loader")["redriven"].empty()) << "redriven once";
  EXPECT_EQ(High(Topic("items")), 1);

  // It fails again: the count survives the second trip through the DLQ.
  kafka::Message again = back[0];
  again.offset = 0;
  ASSERT_TRUE(dlq.Publish(again, {ErrorKind::kPermanent, "validation", "still bad"}));
  ASSERT_TRUE(dlq.Publish(poison, {ErrorKind::kPermanent, "decode", "other"}));
  const auto only = Json("dlq redrive loader --error-class validation");
  ASSERT_EQ(only["redriven"].size(), 1U);
  EXPECT_EQ(only["redriven"][0]["redrive_count"], 2);
  EXPECT_EQ(only["group"], std::string(group) + ".validation");
  const auto second = t::ReadAll(brokers_, Topic("items"), 2, 30s);
  ASSERT_EQ(second.size(), 2U);
  EXPECT_EQ(second[1].Header(kafka::kHeaderRedriveCount), "2");
  EXPECT_EQ(Json("dlq redrive loader")["redriven"].size(), 2U) << "the unfiltered group";

  const auto no_stage = Cli("dlq redrive nosuchstage");
  EXPECT_EQ(no_stage.exit_code, 1);
  EXPECT_THAT(no_stage.output, HasSubstr(Topic("dlq.nosuchstage")));
}

TEST_F(OperatorCli, ReplayMovesAnInactiveGroupAndRefusesAnActiveOne) {
  const auto topic = Topic("items");
  t::CreateTopic(brokers_, topic, 2);
  kafka::Producer producer(settings_, "test");
  v1::Item item;
  for (int i = 0; i < 12; ++i) Produce(producer, "items", "key-" + std::to_string(i), item);
  const auto group = t::UniqueName("it-replay");
  const std::map<std::int32_t, std::int64_t> ends = {{0, High(topic, 0)}, {1, High(topic, 1)}};
  ASSERT_EQ(ends.at(0) + ends.at(1), 12);
  {
    KafkaClient committer(settings_, group);
    committer.Commit(topic, ends);
  }
  ASSERT_EQ(t::CommittedOffsets(brokers_, group, topic, 2), ends);

  const auto dry = Json("replay --group " + group + " --topic items --to-earliest --dry-run");
  EXPECT_EQ(dry["dry_run"], true);
  ASSERT_EQ(dry["partitions"].size(), 2U);
  for (const auto& p : dry["partitions"]) {
    EXPECT_EQ(p["current"], ends.at(p["partition"].get<int>()));
    EXPECT_EQ(p["new"], 0);
    EXPECT_EQ(p["lag"], ends.at(p["partition"].get<int>()));
  }
  EXPECT_EQ(t::CommittedOffsets(brokers_, group, topic, 2), ends) << "dry run changes nothing";

  const auto table = Cli("replay --group " + group + " --topic items --to-earliest");
  EXPECT_EQ(table.exit_code, 0) << table.output;
  EXPECT_THAT(table.output, HasSubstr("PARTITION"));
  EXPECT_EQ(t::CommittedOffsets(brokers_, group, topic, 2),
            (std::map<std::int32_t, std::int64_t>{{0, 0}, {1, 0}}));

  Json("replay --group " + group + " --topic " + topic + " --to-offset 1 --partition 1");
  EXPECT_EQ(t::CommittedOffsets(brokers_, group, topic, 2).at(1),
            std::min<std::int64_t>(1, ends.at(1)));
  Json("replay --group " + group + " --topic items --to-time 2999-01-01T00:00:00Z");
  EXPECT_EQ(t::CommittedOffsets(brokers_, group, topic, 2), ends) << "after the last record";
  Json("replay --group " + group + " --topic items --to-time 2000-01-01T00:00:00+01:00");
  EXPECT_EQ(t::CommittedOffsets(brokers_, group, topic, 2),
            (std::map<std::int32_t, std::int64_t>{{0, 0}, {1, 0}}));

  const auto bad_time = Cli("replay --group " + group + " --topic items --to-time yesterday");
  EXPECT_EQ(bad_time.exit_code, 2);
  EXPECT_THAT(bad_time.output, HasSubstr("'yesterday' is not an RFC 3339 time"));
  EXPECT_EQ(Cli("replay --group " + group + " --topic items").exit_code, 2);

  // A member joins the group: the reset is refused and the offsets stay.
  std::string error;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", brokers_, error);
  conf->set("group.id", group, error);
  conf->set("enable.auto.commit", "false", error);
  std::unique_ptr<RdKafka::KafkaConsumer> member(RdKafka::KafkaConsumer::create(conf.get(), error));
  ASSERT_TRUE(member) << error;
  member->subscribe({topic});
  std::vector<RdKafka::TopicPartition*> assignment;
  for (int i = 0; i < 300 && assignment.empty(); ++i) {
    delete member->consume(100);
    member->assignment(assignment);
  }
  ASSERT_FALSE(assignment.empty()) << "the member never joined";
  RdKafka::TopicPartition::destroy(assignment);
  const auto refused = Cli("replay --group " + group + " --topic items --to-latest");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.output, HasSubstr("active member"));
  EXPECT_EQ(t::CommittedOffsets(brokers_, group, topic, 2),
            (std::map<std::int32_t, std::int64_t>{{0, 0}, {1, 0}}));
  member->close();
}

TEST_F(OperatorCli, StatusReportsLagDlqSourcesErrorsAndRows) {
  tributary::testing::ScratchDatabase db;
  const auto ids = db.AddSources(4);
  {
    pqxx::connection c(db.Dsn());
    pqxx::work tx(c);
    const auto a = std::to_string(ids[0]);
    const auto b = std::to_string(ids[1]);
    tx.exec0("UPDATE sources SET consecutive_failures = 3, last_fetched_at = now() WHERE id = " +
             a);
    tx.exec0("UPDATE sources SET last_fetched_at = now(), last_success_at = now() WHERE id = " + b);
    tx.exec0("UPDATE sources SET enabled = false WHERE id = " + std::to_string(ids[3]));
    tx.exec0("UPDATE sources SET created_at = now() - interval '1 day' WHERE id <> " + b);
    tx.exec0("INSERT INTO fetch_log (request_id, source_id, url, outcome, error_class, fetched_at) "
             "VALUES ('r1', " + a + ", 'u', 'network_error', 'dns', now()), "
             "('r2', " + a + ", 'u', 'network_error', 'dns', now()), "
             "('r3', " + b + ", 'u', 'ok', NULL, now()), "
             "('r4', " + b + ", 'u', 'ok', NULL, now())");
    tx.exec0("INSERT INTO items (source_id, external_id, observed_at, content_hash) "
             "VALUES (" + b + ", 'x', now(), sha256('x'))");
    tx.commit();
  }
  t::CreateTopic(brokers_, Topic("items"), 1);
  t::CreateTopic(brokers_, Topic("dlq.parser"), 1);
  kafka::Producer producer(settings_, "test");
  v1::Item item;
  for (int i = 0; i < 3; ++i) Produce(producer, "items", "k", item);
  kafka::DlqPublisher dlq(producer, settings_, "parser");
  ASSERT_TRUE(dlq.Publish({.topic = Topic("documents")}, {ErrorKind::kPermanent, "parse", "x"}));
  const auto embedder = prefix_ + "-embedder";
  {
    KafkaClient committer(settings_, embedder);
    committer.Commit(Topic("items"), {{0, 1}});
  }
  const auto never = prefix_ + "-loader";

  const auto status =
      Json("status --pg-dsn dbname=" + db.name() + " --groups " + embedder + "," + never);
  ASSERT_EQ(status["groups"].size(), 2U) << status.dump();
  const auto& g = status["groups"][0];
  EXPECT_EQ(g["group"], embedder);
  EXPECT_EQ(g["members"], 0);
  EXPECT_EQ(g["lag"], 2);
  ASSERT_EQ(g["partitions"].size(), 1U);
  EXPECT_EQ(g["partitions"][0]["topic"], Topic("items"));
  EXPECT_EQ(g["partitions"][0]["committed"], 1);
  EXPECT_EQ(g["partitions"][0]["high"], 3);
  EXPECT_EQ(status["groups"][1]["lag"], 0) << "its inputs do not exist";
  ASSERT_EQ(status["dlq"].size(), 1U);
  EXPECT_EQ(status["dlq"][0]["stage"], "parser");
  EXPECT_EQ(status["dlq"][0]["depth"], 1);
  EXPECT_EQ(status["sources"]["total"], 4);
  EXPECT_EQ(status["sources"]["enabled"], 3);
  EXPECT_EQ(status["sources"]["failing"], 1);
  EXPECT_EQ(status["sources"]["never_fetched"], 2);
  EXPECT_EQ(status["sources"]["stale"], 2) << "enabled, no success within 3 x 30 min";
  EXPECT_EQ(status["errors_24h"]["fetches"], 4);
  EXPECT_EQ(status["errors_24h"]["errors"], 2);
  EXPECT_DOUBLE_EQ(status["errors_24h"]["error_rate"].get<double>(), 0.5);
  ASSERT_EQ(status["errors_24h"]["worst_sources"].size(), 1U);
  EXPECT_EQ(status["errors_24h"]["worst_sources"][0]["source_id"], ids[0]);
  EXPECT_EQ(status["errors_24h"]["worst_sources"][0]["top_error_class"], "dns");
  EXPECT_EQ(status["rows"]["items"], 1);
  EXPECT_EQ(status["rows"]["stories"], 0);
  EXPECT_EQ(status["rows"]["embeddings"], 0);

  const auto text = Cli("status --pg-dsn dbname=" + db.name() + " --groups " + embedder);
  EXPECT_EQ(text.exit_code, 0) << text.output;
  EXPECT_THAT(text.output, HasSubstr("1 failing, 2 never fetched, 2 stale"));

  // --check: the SLOs, from the same snapshot. a failed a day after it was added, c was added
  // a day ago and never fetched (2 of 3 fresh), the DLQ holds one, the embedder group has lag
  // and nobody consuming; 4 fetches are too few to judge an error rate.
  EXPECT_EQ(status["sources"]["fresh"], 2);
  EXPECT_EQ(status["sources"]["failing_long"], 1);
  const auto check =
      Cli("status --check --pg-dsn dbname=" + db.name() + " --groups " + embedder);
  EXPECT_EQ(check.exit_code, 3) << check.output;
  EXPECT_THAT(check.output, HasSubstr("BREACHED stage down: " + embedder +
                                      " has 2 messages of lag and no member consuming"));
  EXPECT_THAT(check.output, HasSubstr("BREACHED dead letters: " + Topic("dlq.parser") +
                                      " holds 1 records"));
  EXPECT_THAT(check.output, HasSubstr("BREACHED freshness: 2 of 3 enabled sources"));
  EXPECT_THAT(check.output, HasSubstr("BREACHED failing sources: 1 enabled sources have failed "
                                      "for longer than 6h"));
  EXPECT_THAT(check.output, ::testing::Not(HasSubstr("fetch errors")));
  const auto relaxed = Cli("status --check --pg-dsn dbname=" + db.name() + " --groups " + never +
                           " --max-dlq 1 --min-fresh-percent 60 --failing-for 2d");
  EXPECT_EQ(relaxed.exit_code, 0) << relaxed.output;
  EXPECT_THAT(relaxed.output, HasSubstr("every SLO holds"));
  const auto json_check = Cli("status --check --json --pg-dsn dbname=" + db.name() +
                                  " --groups " + embedder, false);
  EXPECT_EQ(json_check.exit_code, 3);
  EXPECT_EQ(nlohmann::json::parse(json_check.output, nullptr, false)["slo_breached"].size(), 4U)
      << json_check.output;
}

// Three items of one source with their hash-backend vectors, as the pipeline would store them,
// under a freshly registered model (with `distance`) whose HNSW index is built only when
// `build_index`.
int SeedHashedItems(tributary::testing::ScratchDatabase& db, bool build_index,
                    const std::string& distance = "cosine") {
  const auto source = db.AddSources(1)[0];
  const std::vector<std::pair<std::string, std::string>> items = {
      {"Rust async runtimes compared", "Tokio, async-std and smol: which async runtime for Rust?"},
      {"Sourdough bread at home", "Flour, water, salt and a starter: baking bread slowly."},
      {"PostgreSQL vacuum tuning", "Autovacuum settings for large PostgreSQL tables."}};
  pqxx::connection c(db.Dsn());
  pqxx::work tx(c);
  const int model_id =
      tx.exec_params1("INSERT INTO embedding_models (name, version, dims, distance) "
                      "VALUES ('tributary-hash', 'v1-d256', 256, $1) RETURNING id",
                      distance)[0]
          .as<int>();
  if (build_index) {
    tx.exec1("SELECT tributary_ensure_model_index(" + std::to_string(model_id) + ")");
  }
  int n = 0;
  for (const auto& [title, summary] : items) {
    v1::Item item;
    item.set_title(title);
    item.set_summary(summary);
    // The embedder's own text preparation and hash backend.
    const auto vector = embedder::HashEmbed(embedder::PrepareText(item, {}).text, 256);
    std::string text = "[";
    for (std::size_t i = 0; i < vector.size(); ++i) {
      text += (i ? "," : "") + std::to_string(vector[i]);
    }
    text += "]";
    ++n;
    const auto id = tx.exec_params1(
        "INSERT INTO items (source_id, external_id, title, url, observed_at, content_hash) "
        "VALUES ($1, $2::text, $3, $4, now(), sha256(convert_to($2::text, 'UTF8'))) RETURNING id",
        source, "id-" + std::to_string(n), title, "https://a.example/" + std::to_string(n))[0]
                        .as<std::int64_t>();
    tx.exec_params0("INSERT INTO item_embeddings (item_id, model_id, content_hash, embedding, "
                    "observed_at) VALUES ($1, $2, sha256(convert_to($3::text, 'UTF8')), "
                    "$4::vector, now())",
                    id, model_id, "id-" + std::to_string(n), text);
  }
  tx.commit();
  return model_id;
}

// For each distance a model can be registered with: the nearest item first, and the query the
// command runs uses the model's HNSW index, so the index's operator class and the search's
// operator agree.
TEST_F(OperatorCli, SearchFindsTheNearestItemThroughTheModelsIndex) {
  for (const std::string distance : {"cosine", "l2", "inner_product"}) {
    SCOPED_TRACE(distance);
    tributary::testing::ScratchDatabase db;
    const int model_id = SeedHashedItems(db, /*build_index=*/true, distance);
    const auto found =
        Json("search 'which async runtime for rust' --limit 2 --pg-dsn dbname=" + db.name());
    ASSERT_EQ(found["results"].size(), 2U) << found.dump();
    EXPECT_EQ(found["model"]["distance"], distance);
    EXPECT_EQ(found["results"][0]["title"], "Rust async runtimes compared");
    EXPECT_GT(found["results"][0]["score"].get<double>(),
              found["results"][1]["score"].get<double>());
    EXPECT_EQ(found["results"][0]["url"], "https://a.example/1");
    EXPECT_EQ(found["results"][0]["source"], "https://source1.example/feed");
    EXPECT_EQ(found["model"]["dims"], 256);

    const auto bread = Cli("search sourdough bread starter --pg-dsn dbname=" + db.name());
    EXPECT_EQ(bread.exit_code, 0) << bread.output;
    EXPECT_THAT(bread.output.substr(0, bread.output.find('\n')), HasSubstr("Sourdough bread"));

    // The search the command runs (tributary_search) goes through the model's HNSW index (on
    // three rows the planner rightly prefers a scan and a sort, so those are switched off: the
    // index must match), as the index's own scan counter shows.
    pqxx::connection c(db.Dsn());
    const std::string index = "item_embeddings_m" + std::to_string(model_id) + "_hnsw";
    const auto scans_of = [&](const std::string& name) {
      pqxx::nontransaction q(c);
      q.exec("SELECT pg_stat_clear_snapshot()");
      return q.exec_params1("SELECT coalesce(sum(idx_scan), 0) FROM pg_stat_user_indexes "
                            "WHERE indexrelname = $1",
                            name)[0]
          .as<std::int64_t>();
    };
    const auto index_scans = [&] { return scans_of(index); };
    std::string vector = "[";
    for (int i = 0; i < 256; ++i) vector += i ? ",0.1" : "0.1";
    vector += "]";
    const auto search = [&](const std::string& filter) {
      pqxx::work tx(c);
      tx.exec0("SET LOCAL enable_seqscan = off");
      tx.exec0("SET LOCAL enable_bitmapscan = off");
      tx.exec0("SET LOCAL enable_sort = off");
      const auto rows = tx.exec_params(
          "SELECT * FROM tributary_search('x', $1::vector, $2, mode => 'vector', "
          "result_limit => 5" + filter + ")",
          vector, model_id);
      tx.exec("SELECT pg_stat_force_next_flush()");
      tx.commit();
      return rows.size();
    };
    const auto before = index_scans();
    EXPECT_EQ(search(""), 3U);
    EXPECT_GT(index_scans(), before) << index << " was not scanned";
    // The items of a few sources, or of a day, are ranked by their vectors' bits (0020,
    // 0022): the HNSW index is not walked, one of the bits' indexes (by source, by date) is
    // read (which one is the planner's choice on three rows).
    const auto bits_scans = [&] {
      return scans_of("item_vector_bits_source_idx") + scans_of("item_vector_bits_date_idx");
    };
    const auto before_sources = index_scans();
    auto before_bits = bits_scans();
    EXPECT_EQ(search(", source_ids => (SELECT array_agg(id) FROM sources)"), 3U);
    EXPECT_EQ(index_scans(), before_sources) << index << " was walked for a few sources' items";
    EXPECT_GT(bits_scans(), before_bits) << "the bits were not read for a few sources' items";
    before_bits = bits_scans();
    EXPECT_EQ(search(", since => now() - interval '1 day'"), 3U);
    EXPECT_EQ(index_scans(), before_sources) << index << " was walked for a day's items";
    EXPECT_GT(bits_scans(), before_bits) << "the bits were not read for a day's items";
  }

  tributary::testing::ScratchDatabase db;
  SeedHashedItems(db, /*build_index=*/false);
  const auto unknown = Cli("search anything --dims 64 --pg-dsn dbname=" + db.name());
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.output, HasSubstr("tributary-hash v1-d64 has no vectors yet"));
  EXPECT_THAT(unknown.output, HasSubstr("registered: tributary-hash v1-d256"));
}

// The command's filters reach tributary_search (its ranking is tested in search_integration_test).
TEST_F(OperatorCli, SearchFiltersBySourceAndTime) {
  tributary::testing::ScratchDatabase db;
  SeedHashedItems(db, /*build_index=*/true);
  const std::string dsn = " --pg-dsn dbname=" + db.name();
  const auto source = db.Scalar<std::string>("SELECT url FROM sources");
  const auto by_words = [&](const std::string& flags) {
    std::vector<std::string> titles;
    const auto found = Json("search rust async --mode text" + flags + dsn);
    for (const auto& r : found["results"]) titles.push_back(r["title"].get<std::string>());
    return titles;
  };
  EXPECT_THAT(by_words(" --source '" + source + "' --since 1d"),
              ::testing::ElementsAre("Rust async runtimes compared"));
  EXPECT_TRUE(by_words(" --until 2000-01-01").empty());
  std::string other;
  {
    pqxx::connection c(db.Dsn());
    pqxx::work tx(c);
    other = tx.exec1("INSERT INTO sources (url, kind) VALUES ('https://other.example/feed', "
                     "'rss') RETURNING id::text")[0]
                .as<std::string>();
    tx.commit();
  }
  EXPECT_TRUE(by_words(" --source " + other).empty());
  const auto unknown = Cli("search rust --mode text --source https://nowhere.example/" + dsn);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.output, HasSubstr("--source 'https://nowhere.example/' is no source"));
}

TEST_F(OperatorCli, IndexBuildAddsTheMissingIndexAfterADeferredLoadAndRebuildsAnInvalidOne) {
  tributary::testing::ScratchDatabase db;
  const int model_id = SeedHashedItems(db, /*build_index=*/false);
  const std::string dsn = " --pg-dsn dbname=" + db.name();
  const std::string index_name = "item_embeddings_m" + std::to_string(model_id) + "_hnsw";
  auto access_method = [&] {
    pqxx::connection c(db.Dsn());
    pqxx::read_transaction tx(c);
    const auto rows = tx.exec_params(
        "SELECT a.amname, i.indisvalid FROM pg_class c JOIN pg_am a ON a.oid = c.relam "
        "JOIN pg_index i ON i.indexrelid = c.oid WHERE c.relname = $1",
        index_name);
    return rows.empty() ? std::string("none")
                        : rows[0][0].as<std::string>() + (rows[0][1].as<bool>() ? "" : ",invalid");
  };

  auto listed = Json("index list" + dsn);
  ASSERT_EQ(listed.size(), 2U) << listed.dump();
  EXPECT_EQ(listed[0]["model_id"], model_id);
  EXPECT_EQ(listed[0]["table"], "item_embeddings");
  EXPECT_EQ(listed[0]["vectors"], 3);
  EXPECT_EQ(listed[0]["state"], "missing");
  EXPECT_EQ(listed[1]["table"], "item_chunks");
  EXPECT_EQ(listed[1]["state"], "missing");
  // Without the index, search scans and still answers.
  const auto found = Json("search 'which async runtime for rust' --limit 1" + dsn);
  ASSERT_EQ(found["results"].size(), 1U) << found.dump();
  EXPECT_EQ(found["results"][0]["title"], "Rust async runtimes compared");

  auto built = Json("index build" + dsn);
  ASSERT_EQ(built.size(), 2U) << built.dump();
  for (const auto& index : built) {
    EXPECT_EQ(index["action"], "built") << index.dump();
    EXPECT_EQ(index["state"], "built") << index.dump();
    EXPECT_GT(index["bytes"].get<std::int64_t>(), 0) << index.dump();
  }
  EXPECT_EQ(built[1]["index"], "item_chunks_m" + std::to_string(model_id) + "_hnsw");
  EXPECT_EQ(access_method(), "hnsw");
  const auto again = Json("index build" + dsn);
  EXPECT_EQ(again[0]["action"], "none") << "a second run changes nothing";
  EXPECT_EQ(again[1]["action"], "none") << "a second run changes nothing";

  // A failed CREATE INDEX CONCURRENTLY leaves an invalid index under the model's index name
  // (made here with a unique index over duplicates); build drops it and builds the real one.
  {
    pqxx::connection c(db.Dsn());
    pqxx::nontransaction tx(c);
    tx.exec0("DROP INDEX " + index_name);
    EXPECT_THROW(tx.exec0("CREATE UNIQUE INDEX CONCURRENTLY " + index_name +
                          " ON item_embeddings (model_id)"),
                 pqxx::sql_error);
  }
  EXPECT_EQ(access_method(), "btree,invalid");
  EXPECT_EQ(Json("index list" + dsn)[0]["state"], "invalid");
  const auto rebuilt = Cli("index build" + dsn);
  EXPECT_EQ(rebuilt.exit_code, 0) << rebuilt.output;
  EXPECT_THAT(rebuilt.output, HasSubstr("rebuilt " + index_name + " over 3 vectors"));
  EXPECT_EQ(access_method(), "hnsw");

  const auto unknown = Cli("index build --model-id 999999" + dsn);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.output, HasSubstr("no embedding model with id 999999"));
}

}  // namespace
}  // namespace tributary::cli
