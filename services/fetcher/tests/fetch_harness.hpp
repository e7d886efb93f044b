#pragma once
// Runs fetches to completion on a private io_context for tests, and generates the TLS material
// and local servers the hostile-server tests share.
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "services/fetcher/fetch_engine.hpp"
#include "services/fetcher/http_client.hpp"
#include "tests/support/child_process.hpp"

namespace tributary::fetcher::testing {

// Runs `fetch` (a coroutine on the given client) to completion and returns its response.
FetchResponse Run(boost::asio::io_context& io,
                  const std::function<boost::asio::awaitable<FetchResponse>()>& fetch);

// One fetch with a fresh client.
FetchResponse FetchOnce(const FetchSpec& spec, const ClientSettings& settings,
                        const std::vector<Cidr>& allow);

// Test certificates made by tests/support/make_test_certs.sh, once per process.
const std::filesystem::path& CertDir();

std::vector<Cidr> Loopback();  // 127.0.0.0/8

}  // namespace tributary::fetcher::testing
