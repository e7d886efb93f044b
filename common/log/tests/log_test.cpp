#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "common/config/secrets.hpp"
#include "common/log/json_formatter.hpp"
#include "common/log/mask.hpp"
#include "common/log/trace_scope.hpp"

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

TEST(Mask, HidesEveryConfiguredSecretByValueWhateverSurroundsIt) {
  config::RememberSecret("sk-proj-Zq81echoed");
  EXPECT_EQ(Mask("Incorrect API key provided: sk-proj-Zq81echoed. You can find your API key"),
            "Incorrect API key provided: ***. You can find your API key");
  EXPECT_EQ(Mask("{\"error\":\"bad key sk-proj-Zq81echoed\",\"k\":\"sk-proj-Zq81echoed\"}"),
            "{\"error\":\"bad key ***\",\"k\":\"***\"}");
}

TEST(Mask, LeavesOrdinaryTextAlone) {
  const std::string text = "consumed 10 messages from tributary.items [3] at offset 42";
  EXPECT_EQ(Mask(text), text);
  EXPECT_EQ(Mask("https://example.com/feed.xml"), "https://example.com/feed.xml");
}

// A logger with `Formatter` writing into `out`.
template <typename Formatter>
spdlog::logger LoggerInto(std::ostringstream& out, const std::string& name) {
  spdlog::logger logger(name, std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  logger.set_formatter(std::make_unique<Formatter>());
  return logger;
}

TEST(JsonFormatter, WritesOneEscapedMaskedObjectPerLine) {
  std::ostringstream out;
  auto logger = LoggerInto<JsonFormatter>(out, "kafka");
  logger.info("bad \"quote\"\nnewline dsn=postgresql://u:pw@h/db");
  const std::string line = out.str();
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "exactly one line";
  EXPECT_THAT(line, HasSubstr(R"("level":"info","logger":"kafka","msg":"bad \"quote\"\nnewline)"));
  EXPECT_THAT(line, HasSubstr("postgresql://u:***@h/db"));
  EXPECT_THAT(line, Not(HasSubstr("pw@")));
  EXPECT_THAT(line, HasSubstr(R"({"ts":")"));
}

TEST(JsonFormatter, AddsTheTraceIdOfTheMessageBeingWorkedOn) {
  std::ostringstream out;
  auto logger = LoggerInto<JsonFormatter>(out, "parser");
  logger.info("before");
  {
    TraceScope scope("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    {
      TraceScope inner("not a traceparent");
      logger.info("inner");
    }
    logger.info("within");
  }
  logger.info("after");
  std::istringstream lines(out.str());
  std::string before, inner, within, after;
  std::getline(lines, before);
  std::getline(lines, inner);
  std::getline(lines, within);
  std::getline(lines, after);
  EXPECT_THAT(before, Not(HasSubstr("trace_id")));
  EXPECT_THAT(inner, Not(HasSubstr("trace_id"))) << "a malformed traceparent sets no trace";
  EXPECT_THAT(within, HasSubstr(R"("logger":"parser","trace_id":")"
                                R"(4bf92f3577b34da6a3ce929d0e0e4736","msg":"within")"));
  EXPECT_THAT(after, Not(HasSubstr("trace_id"))) << "the scope ends with its block";
}

TEST(TextFormatter, EndsTheLineWithTheTraceId) {
  std::ostringstream out;
  auto logger = LoggerInto<TextFormatter>(out, "loader");
  TraceScope scope("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  logger.warn("dead-lettered");
  EXPECT_THAT(out.str(), HasSubstr("dead-lettered trace_id=4bf92f3577b34da6a3ce929d0e0e4736\n"));
}

}  // namespace
}  // namespace tributary::log
