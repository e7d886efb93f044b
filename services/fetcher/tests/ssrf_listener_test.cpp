// The SSRF guard, observed from the outside: a listener on a refused address sees zero
// connections, whatever the spelling of its address and also after a redirect; and the gzip bomb
// leaves the process's peak memory within a stated bound.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <fstream>

#include "services/fetcher/tests/fetch_harness.hpp"

namespace tributary::fetcher {
namespace {

using namespace std::chrono_literals;
namespace net = boost::asio;

// A listening socket that never answers; Accepted() drains and counts the connections made.
class CountingListener {
 public:
  explicit CountingListener(const char* address)
      : acceptor_(io_, {net::ip::make_address(address), 0}) {
    acceptor_.non_blocking(true);
  }
  [[nodiscard]] int port() const { return acceptor_.local_endpoint().port(); }
  int Accepted() {
    int count = 0;
    while (true) {
      net::ip::tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec) return count;
      ++count;
    }
  }

 private:
  net::io_context io_;
  net::ip::tcp::acceptor acceptor_;
};

ClientSettings Quick() {
  ClientSettings settings;
  settings.read_timeout = 500ms;
  settings.connect_timeout = 2s;
  settings.total_timeout = 5s;
  return settings;
}

TEST(SsrfListener, RefusedSpellingsMakeZeroConnections) {
  CountingListener listener("127.0.0.1");
  const auto port = std::to_string(listener.port());
  for (const std::string host : {"127.0.0.1", "127.1", "2130706433", "0x7f.1", "0177.0.0.1",
                                 "0x7f000001", "127.0.0.1.", "[::ffff:127.0.0.1]",
                                 "[::ffff:7f00:1]", "localhost", "%31%32%37.0.0.1"}) {
    const auto url = "http://" + host + ":" + port + "/feed";
    const auto response = testing::FetchOnce({.url = url}, Quick(), {});
    EXPECT_EQ(response.error_class, "ssrf") << url << ": " << response.error;
    EXPECT_EQ(response.outcome, v1::FETCH_OUTCOME_REFUSED) << url;
  }
  EXPECT_EQ(listener.Accepted(), 0);

  // Control: the listener does count a connection the policy lets through.
  const auto allowed = testing::FetchOnce({.url = "http://127.0.0.1:" + port + "/"}, Quick(),
                                          testing::Loopback());
  EXPECT_EQ(allowed.error_class, "timeout") << allowed.error;
  EXPECT_EQ(listener.Accepted(), 1);
}

TEST(SsrfListener, RedirectToARefusedAddressMakesZeroConnections) {
  // Linux routes all of 127/8 to the loopback device: 127.0.0.2 stands for "an internal host".
  CountingListener internal("127.0.0.2");
  auto server = ::tributary::testing::StartHostileServer();
  const auto target = "http://127.0.0.2:" + std::to_string(internal.port()) + "/admin";
  const auto url = "http://127.0.0.1:" + std::to_string(server.port) + "/redirect-to?url=" + target;
  const auto response = testing::FetchOnce({.url = url}, Quick(), {*ParseCidr("127.0.0.1/32")});
  EXPECT_EQ(response.error_class, "ssrf") << response.error;
  EXPECT_EQ(response.redirects, 1);
  EXPECT_EQ(internal.Accepted(), 0);
}

long PeakRssKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// The bomb inflates to 512 MiB; with a 16 MiB cap the fetch must stay far below that. Run in a
// forked child so the peak (VmHWM) is this fetch's alone, not an earlier test's.
TEST(DecompressionBomb, PeakMemoryStaysUnderBound) {
  constexpr long kBoundKiB = 96 * 1024;  // stated bound: 96 MiB of growth for a 512 MiB bomb
  auto server = ::tributary::testing::StartHostileServer();
  const auto url = "http://127.0.0.1:" + std::to_string(server.port) + "/bomb";
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    const long before = PeakRssKiB();
    ClientSettings settings;
    settings.total_timeout = 30s;
    const auto response = testing::FetchOnce({.url = url}, settings, testing::Loopback());
    const std::string report = response.error_class + " " + std::to_string(PeakRssKiB() - before);
    (void)!write(fds[1], report.data(), report.size());
    _exit(0);
  }
  close(fds[1]);
  std::string report;
  char buffer[256];
  ssize_t n = 0;
  while ((n = read(fds[0], buffer, sizeof buffer)) > 0) {
    report.append(buffer, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  const auto space = report.find(' ');
  ASSERT_NE(space, std::string::npos) << report;
  EXPECT_EQ(report.substr(0, space), "decompression_bomb");
  const long growth_kib = std::stol(report.substr(space + 1));
  EXPECT_LT(growth_kib, kBoundKiB) << "peak RSS grew by " << growth_kib << " KiB";
  std::printf("decompression bomb: peak RSS grew by %ld KiB (bound %ld KiB)\n", growth_kib,
              kBoundKiB);
}

}  // namespace
}  // namespace tributary::fetcher
