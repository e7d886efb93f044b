// The HTTP client against a real local server that misbehaves on demand
// (tests/support/hostile_http_server.py): every hostile case ends in a response with a clear
// error class, never a crash, a hang or unbounded memory.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <filesystem>

#include "services/fetcher/tests/fetch_harness.hpp"

namespace tributary::fetcher {
namespace {

using namespace std::chrono_literals;
using ::tributary::testing::HostileServer;
using ::tributary::testing::StartHostileServer;
using testing::CertDir;
using testing::FetchOnce;
using testing::Loopback;

class HostileHttp : public ::testing::Test {
 protected:
  // The plain server serves every test; TLS servers (and the certificates, which take a while
  // to make) start only in the tests that need them: ctest runs each test in its own process.
  static void SetUpTestSuite() { plain_ = new HostileServer(StartHostileServer()); }
  static void TearDownTestSuite() {
    delete plain_;
    for (auto& [name, server] : tls_) delete server;
    tls_.clear();
    if (certs_made_) std::filesystem::remove_all(CertDir());
  }
  static HostileServer& Tls(const std::string& which) {
    auto& server = tls_[which];
    if (server == nullptr) {
      certs_made_ = true;
      const auto dir = CertDir();
      server = new HostileServer(
          StartHostileServer((dir / (which + ".pem")).string(), (dir / (which + ".key")).string()));
    }
    return *server;
  }

  static std::string Url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(plain_->port) + path;
  }
  static std::string TlsUrl(const std::string& which, const std::string& path) {
    return "https://127.0.0.1:" + std::to_string(Tls(which).port) + path;
  }
  static ClientSettings Settings() {
    ClientSettings settings;
    settings.total_timeout = 10s;
    settings.read_timeout = 5s;
    settings.connect_timeout = 5s;
    return settings;
  }
  static FetchResponse Get(const std::string& url, ClientSettings settings = Settings(),
                           bool trust_test_ca = true) {
    if (url.starts_with("https:") && trust_test_ca) {
      settings.tls_ca_file = (CertDir() / "ca.pem").string();
    }
    return FetchOnce({.url = url}, settings, Loopback());
  }

  static inline HostileServer* plain_ = nullptr;
  static inline std::map<std::string, HostileServer*> tls_;
  static inline bool certs_made_ = false;
};

TEST_F(HostileHttp, OkWithValidatorsThenNotModified) {
  auto first = Get(Url("/etag"));
  ASSERT_TRUE(first.ok()) << first.error_class << ": " << first.error;
  EXPECT_EQ(first.status, 200U);
  EXPECT_EQ(first.etag, "\"v1-feed\"");
  EXPECT_EQ(first.last_modified, "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_NE(first.body.find("<rss"), std::string::npos);
  EXPECT_EQ(first.max_age, 300s);
  auto second = FetchOnce({.url = Url("/etag"), .etag = first.etag}, Settings(), Loopback());
  ASSERT_TRUE(second.ok()) << second.error;
  EXPECT_EQ(second.status, 304U);
  EXPECT_TRUE(second.body.empty());
}

TEST_F(HostileHttp, KeepAliveReusesTheConnection) {
  boost::asio::io_context io;
  HttpClient client(io.get_executor(), Settings(), AddressPolicy(Loopback()));
  for (int i = 0; i < 3; ++i) {
    auto response = testing::Run(io, [&] { return client.Fetch({.url = Url("/ok")}); });
    ASSERT_TRUE(response.ok()) << response.error;
    EXPECT_EQ(client.pool().IdleCount(), 1U);  // one connection, reused, back in the pool
  }
}

TEST_F(HostileHttp, AKeptAliveConnectionTheServerClosedGetsOneFreshTry) {
  boost::asio::io_context io;
  HttpClient client(io.get_executor(), Settings(), AddressPolicy(Loopback()));
  auto first = testing::Run(io, [&] { return client.Fetch({.url = Url("/close-after")}); });
  ASSERT_TRUE(first.ok()) << first.error;
  ASSERT_EQ(client.pool().IdleCount(), 1U);  // the client believes the connection is open
  auto second = testing::Run(io, [&] { return client.Fetch({.url = Url("/close-after")}); });
  ASSERT_TRUE(second.ok()) << second.error_class << ": " << second.error;
  EXPECT_EQ(second.status, 200U);
  EXPECT_NE(second.body.find("<rss"), std::string::npos);
}

TEST_F(HostileHttp, GzipIsDecoded) {
  auto response = Get(Url("/gzip"));
  ASSERT_TRUE(response.ok()) << response.error;
  EXPECT_NE(response.body.find("<rss"), std::string::npos);
}

TEST_F(HostileHttp, RefusedAddressWithoutAllowList) {
  auto response = FetchOnce({.url = Url("/ok")}, Settings(), {});
  EXPECT_EQ(response.error_class, "ssrf");
  EXPECT_EQ(response.outcome, v1::FETCH_OUTCOME_REFUSED);
}

TEST_F(HostileHttp, AHostNameIsResolvedAndEachAddressChecked) {
  const auto url = "http://localhost:" + std::to_string(plain_->port) + "/ok";
  auto allowed = Get(url);
  ASSERT_TRUE(allowed.ok()) << allowed.error_class << ": " << allowed.error;
  EXPECT_EQ(allowed.status, 200U);
  auto refused = FetchOnce({.url = url}, Settings(), {});
  EXPECT_EQ(refused.error_class, "ssrf") << refused.error;
}

TEST_F(HostileHttp, DnsFailure) {
  auto response = Get("http://no-such-host.invalid/feed");
  EXPECT_EQ(response.error_class, "dns") << response.error;
  EXPECT_EQ(response.outcome, v1::FETCH_OUTCOME_NETWORK_ERROR);
}

TEST_F(HostileHttp, ConnectionRefused) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto port = acceptor.local_endpoint().port();
  acceptor.close();  // nothing listens there now
  auto response = Get("http://127.0.0.1:" + std::to_string(port) + "/");
  EXPECT_EQ(response.error_class, "connect") << response.error;
}

TEST_F(HostileHttp, TlsVerifiedOk) {
  auto response = Get(TlsUrl("good", "/ok"));
  ASSERT_TRUE(response.ok()) << response.error_class << ": " << response.error;
  EXPECT_EQ(response.status, 200U);
}

TEST_F(HostileHttp, TlsExpiredCertificate) {
  auto response = Get(TlsUrl("expired", "/ok"));
  EXPECT_EQ(response.error_class, "tls");
  EXPECT_NE(response.error.find("expired"), std::string::npos) << response.error;
}

TEST_F(HostileHttp, TlsSelfSignedCertificate) {
  auto response = Get(TlsUrl("self", "/ok"));
  EXPECT_EQ(response.error_class, "tls");
  EXPECT_NE(response.error.find("self-signed"), std::string::npos) << response.error;
}

TEST_F(HostileHttp, TlsWrongHost) {
  auto response = Get(TlsUrl("wrong", "/ok"));
  EXPECT_EQ(response.error_class, "tls");
  EXPECT_NE(response.error.find("mismatch"), std::string::npos) << response.error;
}

TEST_F(HostileHttp, TlsUntrustedWithoutTheTestCa) {
  // The system store does not know our test CA.
  auto response = Get(TlsUrl("good", "/ok"), Settings(), /*trust_test_ca=*/false);
  EXPECT_EQ(response.error_class, "tls") << response.error;
}

TEST_F(HostileHttp, RedirectsAreFollowedAndRecorded) {
  auto response = Get(Url("/redirect/3"));
  ASSERT_TRUE(response.ok()) << response.error;
  EXPECT_EQ(response.redirects, 3);
  EXPECT_EQ(response.final_url, Url("/ok"));
}

TEST_F(HostileHttp, RedirectLoop) {
  auto response = Get(Url("/redirect-loop"));
  EXPECT_EQ(response.error_class, "redirect_loop") << response.error;
  EXPECT_EQ(response.outcome, v1::FETCH_OUTCOME_HTTP_ERROR);
}

TEST_F(HostileHttp, TooManyRedirects) {
  auto response = Get(Url("/redirect/10"));
  EXPECT_EQ(response.error_class, "too_many_redirects") << response.error;
  EXPECT_EQ(response.redirects, 5);
}

TEST_F(HostileHttp, RedirectToOtherSchemeIsRefused) {
  auto response = Get(Url("/redirect-to?url=file:///etc/passwd"));
  EXPECT_EQ(response.error_class, "scheme") << response.error;
}

TEST_F(HostileHttp, BodyOverLimit) {
  auto response = Get(Url("/big"));
  EXPECT_EQ(response.error_class, "body_too_large") << response.error;
  EXPECT_EQ(response.outcome, v1::FETCH_OUTCOME_TOO_LARGE);
}

TEST_F(HostileHttp, HeaderOverLimit) {
  auto response = Get(Url("/huge-header"));
  EXPECT_EQ(response.error_class, "header_too_large") << response.error;
}

TEST_F(HostileHttp, DecompressionBomb) {
  auto response = Get(Url("/bomb"));
  EXPECT_EQ(response.error_class, "decompression_bomb") << response.error;
  EXPECT_TRUE(response.body.empty());
}

TEST_F(HostileHttp, SlowlorisHitsTheTotalDeadline) {
  auto settings = Settings();
  settings.total_timeout = 3s;  // each byte arrives within the read timeout; the total ends it
  auto response = Get(Url("/slowloris"), settings);
  EXPECT_EQ(response.error_class, "timeout") << response.error;
  EXPECT_NE(response.error.find("total deadline"), std::string::npos) << response.error;
}

TEST_F(HostileHttp, AcceptAndNeverAnswer) {
  auto settings = Settings();
  settings.read_timeout = 1s;
  auto response = Get(Url("/never"), settings);
  EXPECT_EQ(response.error_class, "timeout") << response.error;
  EXPECT_NE(response.error.find("read timeout"), std::string::npos) << response.error;
}

TEST_F(HostileHttp, LyingContentLength) {
  auto response = Get(Url("/lying-length"));
  EXPECT_EQ(response.error_class, "truncated") << response.error;
}

TEST_F(HostileHttp, EndlessChunkedBody) {
  auto settings = Settings();
  settings.max_body_bytes = 1 << 20;
  auto response = Get(Url("/endless-chunked"), settings);
  EXPECT_EQ(response.error_class, "body_too_large") << response.error;
}

TEST_F(HostileHttp, GarbageInsteadOfHttp) {
  auto response = Get(Url("/garbage"));
  EXPECT_EQ(response.error_class, "protocol") << response.error;
}

TEST_F(HostileHttp, RetryAfterIsReported) {
  auto response = Get(Url("/status/503"));
  EXPECT_EQ(response.error_class, "http_5xx");
  EXPECT_EQ(response.status, 503U);
  EXPECT_EQ(response.retry_after, 120s);
}

TEST_F(HostileHttp, BreakerOpensAfterRepeatedFailures) {
  boost::asio::io_context io;
  GateSettings gate_settings;
  gate_settings.breaker_failures = 2;
  gate_settings.rate = 1000;
  gate_settings.burst = 1000;
  HostGate gate(io.get_executor(), gate_settings);
  HttpClient client(io.get_executor(), Settings(), AddressPolicy(Loopback()), &gate);
  for (int i = 0; i < 2; ++i) {
    auto response = testing::Run(io, [&] { return client.Fetch({.url = Url("/status/500")}); });
    EXPECT_EQ(response.error_class, "http_5xx");
  }
  auto refused = testing::Run(io, [&] { return client.Fetch({.url = Url("/ok")}); });
  EXPECT_EQ(refused.error_class, "circuit_open") << refused.error;
  EXPECT_EQ(gate.BreakerCounts()[BreakerState::kOpen], 1);
}

TEST_F(HostileHttp, RetryAfterDelaysTheHost) {
  boost::asio::io_context io;
  GateSettings gate_settings;
  gate_settings.rate = 1000;
  gate_settings.burst = 1000;
  HostGate gate(io.get_executor(), gate_settings);
  auto settings = Settings();
  settings.max_politeness_wait = 10s;
  HttpClient client(io.get_executor(), settings, AddressPolicy(Loopback()), &gate);
  auto limited = testing::Run(io, [&] { return client.Fetch({.url = Url("/status/429")}); });
  EXPECT_EQ(limited.retry_after, 120s);
  // The host asked for two minutes; the next fetch may wait 10 s for its turn, so it fails at
  // once rather than waiting in vain.
  auto next = testing::Run(io, [&] { return client.Fetch({.url = Url("/ok")}); });
  EXPECT_EQ(next.error_class, "host_backoff") << next.error;
}

TEST_F(HostileHttp, WaitingForTheHostsTurnIsNotCountedAgainstTheFetchTimeout) {
  // A host with a queue (many sources on one host, a slow rate) is paced, not timed out: the
  // second fetch waits 2.5 s for its turn under a 1 s fetch timeout, and succeeds.
  boost::asio::io_context io;
  GateSettings gate_settings;
  gate_settings.rate = 0.4;
  gate_settings.burst = 1;
  HostGate gate(io.get_executor(), gate_settings);
  auto settings = Settings();
  settings.total_timeout = 1s;
  HttpClient client(io.get_executor(), settings, AddressPolicy(Loopback()), &gate);
  const auto first = testing::Run(io, [&] { return client.Fetch({.url = Url("/ok")}); });
  EXPECT_TRUE(first.ok()) << first.error;
  const auto waited_from = std::chrono::steady_clock::now();
  const auto second = testing::Run(io, [&] { return client.Fetch({.url = Url("/ok")}); });
  EXPECT_TRUE(second.ok()) << second.error;
  EXPECT_GE(std::chrono::steady_clock::now() - waited_from, 2s) << "it did wait its turn";
  EXPECT_LT(second.latency, 1s) << "latency is the fetch's, not the wait's";
}

TEST_F(HostileHttp, RobotsTxtIsHonouredWhenTheSourceAsks) {
  boost::asio::io_context io;
  EngineSettings settings;
  settings.client = Settings();
  settings.allow = Loopback();
  settings.gate.rate = 1000;
  settings.gate.burst = 1000;
  FetchEngine engine(io.get_executor(), settings, nullptr);
  v1::FetchRequest request;
  request.set_url(Url("/private/feed"));
  request.mutable_options()->set_respect_robots(true);
  auto refused = testing::Run(io, [&] { return engine.Fetch(request); });
  EXPECT_EQ(refused.error_class, "robots") << refused.error;
  EXPECT_EQ(refused.outcome, v1::FETCH_OUTCOME_REFUSED);
  request.set_url(Url("/ok"));
  auto allowed = testing::Run(io, [&] { return engine.Fetch(request); });
  EXPECT_TRUE(allowed.ok()) << allowed.error;
  // A redirect is no way around the rules: the hop it leads to is checked too.
  request.set_url(Url("/redirect-to?url=" + Url("/private/feed")));
  auto redirected = testing::Run(io, [&] { return engine.Fetch(request); });
  EXPECT_EQ(redirected.error_class, "robots") << redirected.error;
  EXPECT_EQ(redirected.final_url, Url("/private/feed"));
  EXPECT_EQ(redirected.redirects, 1);
  request.set_url(Url("/private/feed"));
  request.mutable_options()->set_respect_robots(false);
  auto ignored = testing::Run(io, [&] { return engine.Fetch(request); });
  EXPECT_TRUE(ignored.ok()) << ignored.error;
  engine.Close();
}

// RFC 9309 §2.3.1.3-4: robots.txt answering 4xx means "no rules", 5xx means "disallow all".
TEST_F(HostileHttp, RobotsTxtUnavailableAllowsAndUnreachableDisallows) {
  const std::vector<std::pair<int, bool>> cases{{404, true}, {503, false}};
  for (const auto& [status, allowed] : cases) {
    auto server = ::tributary::testing::StartHostileServer({}, {}, {"--robots-status",
                                                                     std::to_string(status)});
    boost::asio::io_context io;
    EngineSettings settings;
    settings.client = Settings();
    settings.allow = Loopback();
    FetchEngine engine(io.get_executor(), settings, nullptr);
    v1::FetchRequest request;
    request.set_url("http://127.0.0.1:" + std::to_string(server.port) + "/private/feed");
    request.mutable_options()->set_respect_robots(true);
    auto response = testing::Run(io, [&] { return engine.Fetch(request); });
    if (allowed) {
      EXPECT_TRUE(response.ok()) << status << ": " << response.error;
    } else {
      EXPECT_EQ(response.error_class, "robots") << status << ": " << response.error;
    }
    engine.Close();
  }
}

}  // namespace
}  // namespace tributary::fetcher
