#include "services/fetcher/tests/fetch_harness.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <optional>

#include "tests/support/test_env.hpp"

namespace tributary::fetcher::testing {

namespace net = boost::asio;

FetchResponse Run(net::io_context& io,
                  const std::function<net::awaitable<FetchResponse>()>& fetch) {
  std::optional<FetchResponse> out;
  net::co_spawn(io, fetch(), [&](const std::exception_ptr& error, FetchResponse response) {
    if (error) std::rethrow_exception(error);
    out = std::move(response);
  });
  io.restart();
  io.run();
  if (!out) throw std::runtime_error("the fetch did not finish");
  return std::move(*out);
}

FetchResponse FetchOnce(const FetchSpec& spec, const ClientSettings& settings,
                        const std::vector<Cidr>& allow) {
  net::io_context io;
  HttpClient client(io.get_executor(), settings, AddressPolicy(allow));
  return Run(io, [&] { return client.Fetch(spec); });
}

const std::filesystem::path& CertDir() {
  static const std::filesystem::path dir = [] {
    const auto path = std::filesystem::temp_directory_path() /
                      ::tributary::testing::UniqueName("fetcher-certs");
    const auto script = ::tributary::testing::SourceDir() / "tests/support/make_test_certs.sh";
    const auto result =
        ::tributary::testing::RunCommand(script.string() + " " + path.string() + " 2>&1");
    if (result.exit_code != 0) {
      throw std::runtime_error("make_test_certs.sh failed: " + result.output);
    }
    return path;
  }();
  return dir;
}

std::vector<Cidr> Loopback() { return {*ParseCidr("127.0.0.0/8")}; }

}  // namespace tributary::fetcher::testing
