// `tributary sources ...` and `tributary enqueue` as a person runs them: the real binary, a
// scratch database with the real migrations, and the real broker.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <nlohmann/json.hpp>

#include "common/codec/codec.hpp"
#include "tests/support/scratch_database.hpp"
#include "tests/support/kafka_admin.hpp"
#include "tests/support/test_env.hpp"
#include "tributary/v1/fetch.pb.h"

namespace tributary::cli {
namespace {

using namespace std::chrono_literals;
using ::tributary::testing::RunCommand;

class SourcesCli : public ::testing::Test {
 protected:
  ::tributary::testing::CommandResult Cli(const std::string& args, const std::string& in = {}) {
    return RunCommand((::tributary::testing::BinDir() / "tributary").string() + " " + args +
                          " --pg-dsn dbname=" + db.name() + " 2>&1",
                      in);
  }
  nlohmann::json Json(const std::string& args) {
    const auto result = Cli(args + " --json --log-level error");
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return nlohmann::json::parse(result.output, nullptr, false);
  }

  tributary::testing::ScratchDatabase db;
};

TEST_F(SourcesCli, AddIsAnUpsertThatOnlyChangesWhatIsGiven) {
  auto added = Json("sources add https://a.example/feed https://b.example/feed --interval 15m "
                    "--kind rss --config '{\"respect_robots\": true}'");
  ASSERT_EQ(added.size(), 2U);
  EXPECT_TRUE(added[0]["added"].get<bool>());
  auto again = Json("sources add https://a.example/feed --name 'Site A'");
  EXPECT_FALSE(again[0]["added"].get<bool>());
  EXPECT_EQ(again[0]["id"], added[0]["id"]);

  const auto shown = Json("sources show https://a.example/feed");
  EXPECT_EQ(shown["name"], "Site A");
  EXPECT_EQ(shown["kind"], "rss") << "kept: not given the second time";
  EXPECT_EQ(shown["fetch_interval"], "00:15:00");
  EXPECT_EQ(shown["config"]["respect_robots"], true);
  EXPECT_EQ(shown["items"], 0);
  EXPECT_TRUE(shown["recent_fetches"].empty());

  const auto bad_url = Cli("sources add ftp://files.example/feed");
  EXPECT_EQ(bad_url.exit_code, 2);
  EXPECT_NE(bad_url.output.find("not an http(s) URL: 'ftp://files.example/feed'"),
            std::string::npos);
  const auto bad_config = Cli("sources add https://c.example/ --config '[1]'");
  EXPECT_EQ(bad_config.exit_code, 2);
  EXPECT_NE(bad_config.output.find("--config is not a JSON object"), std::string::npos);
  EXPECT_EQ(Json("sources list").size(), 2U) << "refused commands wrote nothing";
}

TEST_F(SourcesCli, FullTextFlagsSetTheirOptionsOverTheConfigAndBadOptionsAreNamed) {
  Json("sources add https://a.example/feed --config '{\"respect_robots\": true}' "
       "--full-text always");
  auto shown = Json("sources show https://a.example/feed");
  EXPECT_EQ(shown["config"]["full_text"], "always");
  EXPECT_EQ(shown["config"]["respect_robots"], true) << "set over the config, not instead";
  Json("sources add https://a.example/feed --full-text-min-words 300");
  shown = Json("sources show https://a.example/feed");
  EXPECT_EQ(shown["config"]["full_text"], "always") << "kept: not given the second time";
  EXPECT_EQ(shown["config"]["full_text_min_words"], 300);

  const auto bad_mode = Cli("sources add https://b.example/ --full-text sometimes");
  EXPECT_EQ(bad_mode.exit_code, 2) << bad_mode.output;
  EXPECT_NE(bad_mode.output.find("full-text"), std::string::npos) << bad_mode.output;
  const auto bad_option = Cli("sources add https://b.example/ --config '{\"full_text\": 1}'");
  EXPECT_EQ(bad_option.exit_code, 2);
  EXPECT_NE(bad_option.output.find("config.full_text is not one of auto, always, never"),
            std::string::npos)
      << bad_option.output;
  EXPECT_EQ(Json("sources list").size(), 1U) << "refused commands wrote nothing";
}

TEST_F(SourcesCli, OpmlImportRegistersNestedFeedsOnce) {
  Json("sources add https://known.example/rss --name Mine");
  const auto path = std::filesystem::temp_directory_path() / (db.name() + ".opml");
  std::ofstream(path) << R"opml(<?xml version="1.0"?>
<opml version="2.0"><head><title>export</title></head><body>
  <outline text="Tech">
    <outline text="A" title="Feed A" type="rss" xmlUrl="https://a.example/rss"/>
    <outline text="Known" xmlUrl="https://known.example/rss"/>
    <outline text="Deeper"><outline text="B" xmlUrl="https://b.example/atom"/></outline>
  </outline>
  <outline text="odd" xmlUrl="javascript:alert(1)"/>
</body></opml>)opml";
  const auto imported = Json("sources import-opml " + path.string());
  EXPECT_EQ(imported["feeds"], 4);
  EXPECT_EQ(imported["added"], 2);
  EXPECT_EQ(imported["already_registered"], 1);
  EXPECT_EQ(imported["skipped"], nlohmann::json::array({"javascript:alert(1)"}));
  EXPECT_EQ(Json("sources show https://known.example/rss")["name"], "Mine")
      << "an import never overwrites";
  EXPECT_EQ(Json("sources show https://a.example/rss")["name"], "Feed A");
  EXPECT_EQ(Json("sources import-opml " + path.string())["added"], 0) << "safe to repeat";

  const auto broken = Cli("sources import-opml -", "<opml><body><outline");
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_NE(broken.output.find("not well-formed XML"), std::string::npos) << broken.output;
  std::filesystem::remove(path);
}

TEST_F(SourcesCli, DisableAndEnableByUrlOrIdAndMissingOnesAreNamed) {
  const auto added = Json("sources add https://a.example/feed");
  const auto id = added[0]["id"].get<std::int64_t>();
  Json("sources disable https://a.example/feed");
  EXPECT_FALSE(Json("sources list")[0]["enabled"].get<bool>());
  Json("sources enable " + std::to_string(id));
  EXPECT_TRUE(Json("sources list")[0]["enabled"].get<bool>());
  const auto missing = Cli("sources disable 424242");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("no source 424242"), std::string::npos);
}

TEST_F(SourcesCli, EnqueueProducesTheSourcesRequestNow) {
  const auto brokers = ::tributary::testing::RequireEnv("TRIBUTARY_KAFKA_BROKERS");
  const auto prefix = ::tributary::testing::UniqueName("it-enqueue");
  ::tributary::testing::CreateTopic(brokers, prefix + ".fetch.requests", 2);
  const auto id = Json("sources add https://a.example/feed --kind atom --config "
                       "'{\"max_depth\": 3}'")[0]["id"]
                      .get<std::int64_t>();
  {
    pqxx::connection c(db.Dsn());
    pqxx::work tx(c);
    tx.exec0("UPDATE sources SET etag = '\"x\"' WHERE id = " + std::to_string(id));
    tx.commit();
  }
  const auto kafka = " --kafka-brokers " + brokers + " --topic-prefix " + prefix;
  const auto enqueued = Json("enqueue https://a.example/feed" + kafka);
  ASSERT_EQ(enqueued.size(), 1U);
  const auto messages =
      ::tributary::testing::ReadAll(brokers, prefix + ".fetch.requests", 1, 20s);
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(messages[0].key, "a.example") << "keyed by host, like the scheduler's requests";
  const auto request = codec::Decode<v1::FetchRequest>(messages[0].value, "");
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->request_id(), enqueued[0]["request_id"]);
  EXPECT_EQ(request->kind(), v1::SOURCE_KIND_ATOM);
  EXPECT_EQ(request->etag(), "\"x\"");
  EXPECT_EQ(request->options().max_depth(), 3U);

  // Under --politeness-scope domain, a host's siblings share the key.
  Json("sources add https://www.news.example.co.uk/feed");
  Json("enqueue https://www.news.example.co.uk/feed --politeness-scope domain" + kafka);
  const auto both = ::tributary::testing::ReadAll(brokers, prefix + ".fetch.requests", 2, 20s);
  ASSERT_EQ(both.size(), 2U);
  std::set<std::string> keys;
  for (const auto& m : both) keys.insert(m.key);
  EXPECT_EQ(keys, (std::set<std::string>{"a.example", "example.co.uk"}));

  Json("sources disable " + std::to_string(id));
  const auto refused = Cli("enqueue " + std::to_string(id) + kafka);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.output.find("is disabled"), std::string::npos);
  const auto unknown = Cli("enqueue https://nowhere.example/" + kafka);
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.output.find("tributary sources add"), std::string::npos);
}

// Credentials in a source URL are never sent, so the password is not stored, printed or put on
// a topic; a row stored before that (or written by hand) is redacted on the way out.
TEST_F(SourcesCli, APasswordInASourceUrlIsNeitherStoredNorPrintedNorSent) {
  const auto added = Cli("sources add 'https://reader:hunter2@private.example/feed'");
  EXPECT_EQ(added.exit_code, 0) << added.output;
  EXPECT_EQ(added.output.find("hunter2"), std::string::npos) << added.output;
  EXPECT_NE(added.output.find("https://reader:***@private.example/feed"), std::string::npos)
      << added.output;
  const auto opml = std::filesystem::temp_directory_path() / (db.name() + ".opml");
  std::ofstream(opml) << "<opml><body><outline xmlUrl=\"https://o:opml-pw-1@o.example/f\"/>"
                         "<outline xmlUrl=\"ftp://o:opml-pw-2@o.example/f\"/></body></opml>";
  const auto imported = Cli("sources import-opml " + opml.string());
  EXPECT_EQ(imported.exit_code, 0) << imported.output;
  EXPECT_EQ(imported.output.find("opml-pw"), std::string::npos) << imported.output;
  std::filesystem::remove(opml);
  {
    pqxx::connection c(db.Dsn());
    pqxx::work tx(c);
    tx.exec0("INSERT INTO sources (url) VALUES ('https://old:s3cr3t-old@legacy.example/feed')");
    tx.commit();
  }
  EXPECT_EQ(db.Scalar<int>("SELECT count(*) FROM sources WHERE url LIKE '%hunter2%' OR "
                           "url LIKE '%opml-pw%'"),
            0);
  for (const auto& command : {"sources list", "sources list --json",
                              "sources show https://reader:***@private.example/feed",
                              "sources show https://old:s3cr3t-old@legacy.example/feed"}) {
    const auto shown = Cli(command);
    EXPECT_EQ(shown.exit_code, 0) << command << "\n" << shown.output;
    for (const char* secret : {"hunter2", "s3cr3t-old", "opml-pw"}) {
      EXPECT_EQ(shown.output.find(secret), std::string::npos) << command << "\n" << shown.output;
    }
  }
  const auto brokers = ::tributary::testing::RequireEnv("TRIBUTARY_KAFKA_BROKERS");
  const auto prefix = ::tributary::testing::UniqueName("it-enqueue-redacted");
  ::tributary::testing::CreateTopic(brokers, prefix + ".fetch.requests", 1);
  const auto enqueued =
      Cli("enqueue https://old:s3cr3t-old@legacy.example/feed --kafka-brokers " + brokers +
          " --topic-prefix " + prefix);
  EXPECT_EQ(enqueued.exit_code, 0) << enqueued.output;
  EXPECT_EQ(enqueued.output.find("s3cr3t-old"), std::string::npos) << enqueued.output;
  const auto messages =
      ::tributary::testing::ReadAll(brokers, prefix + ".fetch.requests", 1, 20s);
  ASSERT_EQ(messages.size(), 1U);
  const auto request = codec::Decode<v1::FetchRequest>(messages[0].value, "");
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->url(), "https://old:***@legacy.example/feed");
}

}  // namespace
}  // namespace tributary::cli
