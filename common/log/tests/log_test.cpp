#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "common/log/json_formatter.hpp"
#include "common/log/mask.hpp"

namespace tributary::log {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(Mask, HidesPasswordsInDsnUrls) {
  EXPECT_EQ(Mask("connect postgresql://loader:s3cret@db:5432/tributary failed"),
            "connect postgresql://loader:***@db:5432/tributary failed");
  EXPECT_EQ(Mask("fetch https://bob:pw@example.com/feed"), "fetch https://bob:***@example.com/feed");
}

TEST(Mask, HidesKeyValueSecretsInLibpqAndLibrdkafkaStyles) {
  EXPECT_EQ(Mask("host=db password=s3cret dbname=x"), "host=db password=*** dbname=x");
  EXPECT_EQ(Mask("sasl.password=s3cret, sasl.username=u"), "sasl.password=***, sasl.username=u");
  EXPECT_EQ(Mask("api_key: sk-abc123"), "api_key: ***");
  EXPECT_EQ(Mask("password='a b c' port=5"), "password=*** port=5");
}

TEST(Mask, HidesAuthorizationHeadersAndJsonSecrets) {
  EXPECT_EQ(Mask("Authorization: Bearer sk-live-123"), "Authorization: Bearer ***");
  EXPECT_EQ(Mask(R"({"api_key":"sk-1","model":"m"})"), R"({"api_key":"***","model":"m"})");
}

TEST(Mask, LeavesOrdinaryTextAlone) {
  const std::string text = "consumed 10 messages from tributary.items [3] at offset 42";
  EXPECT_EQ(Mask(text), text);
  EXPECT_EQ(Mask("https://example.com/feed.xml"), "https://example.com/feed.xml");
}

TEST(JsonFormatter, WritesOneEscapedMaskedObjectPerLine) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  spdlog::logger logger("kafka", sink);
  logger.set_formatter(std::make_unique<JsonFormatter>());
  logger.info("bad \"quote\"\nnewline dsn=postgresql://u:pw@h/db");
  const std::string line = out.str();
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "exactly one line";
  EXPECT_THAT(line, HasSubstr(R"("level":"info","logger":"kafka","msg":"bad \"quote\"\nnewline)"));
  EXPECT_THAT(line, HasSubstr("postgresql://u:***@h/db"));
  EXPECT_THAT(line, Not(HasSubstr("pw@")));
  EXPECT_THAT(line, HasSubstr(R"({"ts":")"));
}

}  // namespace
}  // namespace tributary::log
