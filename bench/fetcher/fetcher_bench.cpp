// Fetcher throughput with Kafka stubbed out: N fetch loops (coroutines) on one io thread, each
// fetching URL again and again through the stage's own FetchEngine (SSRF guard, host gate,
// keep-alive pool, HTTP client), turning each response into the records the stage would produce
// (FetchedDocument + SourceEvent, encoded) and dropping them instead of producing to Kafka.
// Prints requests/s and the process's peak RSS; run.sh sets it beside wrk on the same server.
//
//   tributary-fetcher-bench --url http://127.0.0.1:PORT/feed.xml [--seconds 10] [--in-flight 1000]
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <string>

#include "common/codec/codec.hpp"
#include "services/fetcher/fetch_engine.hpp"
#include "services/fetcher/records.hpp"

namespace {

namespace net = boost::asio;
using namespace tributary;
using namespace tributary::fetcher;

struct Totals {
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;
  std::uint64_t bytes = 0;
  std::map<std::string, std::uint64_t> errors;
};

long PeakRssKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

net::awaitable<void> Loop(FetchEngine& engine, std::string url,
                          std::chrono::steady_clock::time_point until, Totals& totals) {
  v1::FetchRequest request;
  request.set_source_id(1);
  request.set_url(url);
  request.set_request_id("bench");
  while (std::chrono::steady_clock::now() < until) {
    auto response = co_await engine.Fetch(request);
    const auto now = std::chrono::system_clock::now();
    // The records the stage would produce, built and encoded, then dropped (Kafka stubbed).
    std::size_t encoded = codec::Encode(MakeEvent(request, response, now)).size();
    if (HasDocument(response)) {
      encoded += codec::Encode(MakeDocument(request, response, now)).size();
      ++totals.ok;
    } else {
      ++totals.failed;
      ++totals.errors[response.error_class.empty() ? std::to_string(response.status)
                                                   : response.error_class];
    }
    totals.bytes += encoded;
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string url;
  int seconds = 10;
  int in_flight = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--url") url = argv[i + 1];
    else if (flag == "--seconds") seconds = std::atoi(argv[i + 1]);
    else if (flag == "--in-flight") in_flight = std::atoi(argv[i + 1]);
  }
  if (url.empty() || seconds <= 0 || in_flight <= 0) {
    std::cerr << "usage: tributary-fetcher-bench --url URL [--seconds 10] [--in-flight 1000]\n";
    return 2;
  }

  net::io_context io(1);
  EngineSettings settings;
  // The SSRF guard stays on: loopback is refused unless allow-listed, exactly as in the stage
  // with --allow-cidrs 127.0.0.0/8.
  settings.allow = {*ParseCidr("127.0.0.0/8")};
  settings.robots = false;
  // One origin receives all the load: lift the per-host politeness limits (they still run).
  settings.gate.max_concurrency = in_flight;
  settings.gate.rate = 1e9;
  settings.gate.burst = 1e9;
  settings.client.max_idle_per_origin = static_cast<std::size_t>(in_flight);
  settings.client.max_idle_total = static_cast<std::size_t>(in_flight);
  FetchEngine engine(io.get_executor(), settings, nullptr);

  Totals totals;
  const auto started = std::chrono::steady_clock::now();
  const auto until = started + std::chrono::seconds(seconds);
  for (int i = 0; i < in_flight; ++i) {
    net::co_spawn(io, Loop(engine, url, until, totals), net::detached);
  }
  io.run();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  engine.Close();

  std::printf("fetcher: %llu ok, %llu failed in %.1f s with %d in flight = %.0f requests/s\n",
              static_cast<unsigned long long>(totals.ok),
              static_cast<unsigned long long>(totals.failed), elapsed, in_flight,
              static_cast<double>(totals.ok) / elapsed);
  for (const auto& [error, count] : totals.errors) {
    std::printf("  failed with %s: %llu\n", error.c_str(), static_cast<unsigned long long>(count));
  }
  std::printf("fetcher: peak RSS %.1f MiB\n", static_cast<double>(PeakRssKiB()) / 1024.0);
  std::printf("FETCHER_RPS %.0f\nFETCHER_PEAK_RSS_MIB %.1f\n",
              static_cast<double>(totals.ok) / elapsed,
              static_cast<double>(PeakRssKiB()) / 1024.0);
  return totals.ok > 0 ? 0 : 1;
}
