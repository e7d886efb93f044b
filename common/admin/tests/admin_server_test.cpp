#include "common/admin/admin_server.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace tributary::admin {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using ::testing::HasSubstr;

// A plain synchronous HTTP client on loopback: the test exercises the real socket path.
http::response<http::string_body> Get(std::uint16_t port, const std::string& target) {
  net::io_context io;
  boost::beast::tcp_stream stream(io);
  stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> request(http::verb::get, target, 11);
  request.set(http::field::host, "127.0.0.1");
  http::write(stream, request);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response);
  return response;
}

class AdminServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.AddCounter("tributary_test_things_total", "Things.").Inc(3);
    server_.Start();
  }
  metrics::Registry registry_;
  AdminServer server_{Settings{.address = "127.0.0.1", .port = 0}, registry_};
};

TEST_F(AdminServerTest, HealthzAnswersWhileAlive) {
  const auto response = Get(server_.port(), "/healthz");
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(response.body(), "ok\n");
}

TEST_F(AdminServerTest, ReadyzFollowsReadinessWithTheReason) {
  auto response = Get(server_.port(), "/readyz");
  EXPECT_EQ(response.result(), http::status::service_unavailable);
  EXPECT_THAT(response.body(), HasSubstr("starting"));

  EXPECT_THAT(Get(server_.port(), "/metrics").body(), HasSubstr("\ntributary_ready 0\n"));

  server_.SetReady(true);
  EXPECT_EQ(Get(server_.port(), "/readyz").result(), http::status::ok);
  EXPECT_THAT(Get(server_.port(), "/metrics").body(), HasSubstr("\ntributary_ready 1\n"))
      << "the TributaryStageNotReady alert reads it";

  server_.SetReady(false, "no partitions assigned");
  response = Get(server_.port(), "/readyz");
  EXPECT_EQ(response.result(), http::status::service_unavailable);
  EXPECT_THAT(response.body(), HasSubstr("no partitions assigned"));
  EXPECT_THAT(Get(server_.port(), "/metrics").body(), HasSubstr("\ntributary_ready 0\n"));
}

TEST_F(AdminServerTest, MetricsServesThePrometheusText) {
  const auto response = Get(server_.port(), "/metrics");
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_THAT(std::string(response[http::field::content_type]), HasSubstr("version=0.0.4"));
  EXPECT_THAT(response.body(), HasSubstr("tributary_test_things_total 3\n"));
}

TEST_F(AdminServerTest, UnknownPathIsNotFound) {
  EXPECT_EQ(Get(server_.port(), "/nope").result(), http::status::not_found);
}

TEST(AdminServer, PortInUseIsReportedWithTheSetting) {
  metrics::Registry registry;
  AdminServer first(Settings{.address = "127.0.0.1", .port = 0}, registry);
  first.Start();
  AdminServer second(Settings{.address = "127.0.0.1", .port = first.port()}, registry);
  try {
    second.Start();
    FAIL() << "expected the second bind to fail";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("--admin-port"));
  }
}

}  // namespace
}  // namespace tributary::admin
