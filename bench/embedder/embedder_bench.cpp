// Embedder throughput (DESIGN §10): the stage's core with the openai backend against the stub
// server at a fixed latency per request, next to the server's own ceiling measured in the same
// run by driving it directly (same batch size, same number of requests in flight, same
// keep-alive connections); and the hash backend alone. Kafka is stubbed: records are
// "acknowledged" the moment they are produced, so the figure is the embedder's, not the
// broker's.
//
//   tributary-embedder-bench --url http://127.0.0.1:PORT/v1/embeddings
//       [--items 20000] [--batch 32] [--concurrency 4] [--dims 256] [--hash-items 20000]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "common/base/clock.hpp"
#include "common/codec/codec.hpp"
#include "common/log/log.hpp"
#include "services/embedder/core.hpp"
#include "services/embedder/hash_backend.hpp"
#include "services/embedder/http_client.hpp"
#include "services/embedder/openai_backend.hpp"

namespace tributary::embedder {
namespace {

using Steady = std::chrono::steady_clock;

double Seconds(Steady::time_point since) {
  return std::chrono::duration<double>(Steady::now() - since).count();
}

// A feed item's worth of text: a title and a few hundred bytes of body.
std::string Text(const std::string& tag, int i) {
  return "Headline " + tag + " " + std::to_string(i) +
         "\n\nA paragraph about item " + std::to_string(i) +
         " with enough words to look like a summary of a news article: markets, weather, "
         "sports, a new release of a database, and a conference talk about stream processing "
         "with Kafka and PostgreSQL that runs for a while. " + tag;
}

class AckingSink final : public runtime::RecordSink {
 public:
  Result<void> Send(kafka::Record, kafka::DeliveryCallback on_delivery) override {
    on_delivery({});
    return {};
  }
};

class NoDeadLetters final : public runtime::DeadLetters {
 public:
  Result<void> Publish(const kafka::Message&, const Error&) override {
    dead.fetch_add(1);
    return {};
  }
  std::atomic<int> dead{0};
};

class CountingCompletions final : public runtime::Completions {
 public:
  bool Complete(const kafka::Message&) override {
    done.fetch_add(1);
    return true;
  }
  std::atomic<int> done{0};
};

// Items/s of the whole core (decode, text, LRU, batching, backend, encode, "produce").
double RunCore(Backend& backend, int items, int batch, int concurrency, std::uint32_t dims,
               const std::string& tag) {
  metrics::Registry registry;
  StageMetrics metrics(registry);
  AckingSink sink;
  NoDeadLetters dead;
  CountingCompletions completions;
  CoreSettings settings;
  settings.output_topic = "bench.embedded";
  settings.model = {.name = "bench", .version = "1", .dims = dims};
  settings.batch = {.max_items = static_cast<std::size_t>(batch), .max_tokens = 10'000'000,
                    .linger = std::chrono::milliseconds(5)};
  settings.concurrency = concurrency;
  settings.lru_entries = 0;  // every item is new: measure embedding, not the cache
  Core core(settings, backend, nullptr, sink, dead, completions, metrics, SteadyClock::Instance());
  std::vector<kafka::Message> messages;
  messages.reserve(static_cast<std::size_t>(items));
  for (int i = 0; i < items; ++i) {
    v1::Item item;
    item.set_source_id(1);
    item.set_external_id(tag + std::to_string(i));
    item.set_title("Headline " + tag + " " + std::to_string(i));
    item.set_content_text(Text(tag, i));
    std::string hash(32, '\0');
    for (std::size_t k = 0; k < 8; ++k) hash[k] = static_cast<char>((i >> (8 * (k % 4))) + k);
    hash[31] = static_cast<char>(tag.size());
    item.set_content_hash(hash);
    item.mutable_observed_at()->set_seconds(1'700'000'000);
    kafka::Message m;
    m.topic = "bench.items";
    m.offset = i;
    m.value = codec::Encode(item);
    messages.push_back(std::move(m));
  }
  core.Start();
  const auto started = Steady::now();
  for (auto& m : messages) core.Add(std::move(m));
  while (completions.done.load() + dead.dead.load() < items) {
    (void)core.Tick();
    if (core.fatal()) {
      std::fprintf(stderr, "fatal: %s\n", core.fatal()->c_str());
      std::exit(1);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const double elapsed = Seconds(started);
  core.Stop();
  return items / elapsed;
}

// Items/s of the server driven directly: `concurrency` threads, each with one kept-alive
// connection, sending batches of `batch` texts and reading the whole answer.
double RunCeiling(const std::string& url, int items, int batch, int concurrency) {
  const auto endpoint = ParseEndpoint(url);
  if (!endpoint) {
    std::fprintf(stderr, "--url: %s\n", endpoint.error().c_str());
    std::exit(2);
  }
  const int requests = (items + batch - 1) / batch;
  std::vector<std::string> bodies;
  for (int r = 0; r < requests; ++r) {
    std::vector<std::string> texts;
    for (int i = r * batch; i < std::min(items, (r + 1) * batch); ++i) texts.push_back(Text("ceiling", i));
    bodies.push_back(BuildRequestBody("bench", texts, std::nullopt));
  }
  std::atomic<int> next{0};
  std::atomic<int> failed{0};
  const auto started = Steady::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < concurrency; ++t) {
    threads.emplace_back([&] {
      HttpConnection connection(*endpoint, nullptr, std::chrono::seconds(60));
      for (int r = next.fetch_add(1); r < requests; r = next.fetch_add(1)) {
        auto response = connection.Post(bodies[static_cast<std::size_t>(r)], {});
        if (!response || response->status != 200) failed.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  const double elapsed = Seconds(started);
  if (failed.load() > 0) std::fprintf(stderr, "ceiling: %d requests failed\n", failed.load());
  return items / elapsed;
}

double RunHashAlone(int items, std::uint32_t dims) {
  std::vector<std::string> texts;
  for (int i = 0; i < items; ++i) texts.push_back(Text("hash", i));
  const auto started = Steady::now();
  double sink = 0;
  for (const auto& text : texts) sink += HashEmbed(text, dims)[0];
  const double elapsed = Seconds(started);
  if (sink == 12345.678) std::puts("");  // keeps the loop from being optimized away
  return items / elapsed;
}

int Main(int argc, char** argv) {
  std::string url;
  int items = 20000;
  int batch = 32;
  int concurrency = 4;
  int dims = 256;
  int hash_items = 20000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--url") url = value;
    else if (flag == "--items") items = std::stoi(value);
    else if (flag == "--batch") batch = std::stoi(value);
    else if (flag == "--concurrency") concurrency = std::stoi(value);
    else if (flag == "--dims") dims = std::stoi(value);
    else if (flag == "--hash-items") hash_items = std::stoi(value);
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  log::Setup({.format = "text", .level = "warn"});
  const auto udims = static_cast<std::uint32_t>(dims);
  std::printf("embedder benchmark: %d items, batches of %d, %d requests in flight, %d dims\n",
              items, batch, concurrency, dims);
  if (!url.empty()) {
    // Warm-up (connections, server threads), then the ceiling and the embedder alternately,
    // twice each, best of two: the box is shared, so single runs are noisy.
    (void)RunCeiling(url, batch * concurrency * 4, batch, concurrency);
    OpenAiBackend backend({.url = url, .model = "bench", .dims = udims,
                           .timeout = std::chrono::seconds(60)});
    double ceiling = 0;
    double embedder = 0;
    for (int round = 0; round < 2; ++round) {
      ceiling = std::max(ceiling, RunCeiling(url, items, batch, concurrency));
      embedder = std::max(embedder, RunCore(backend, items, batch, concurrency, udims,
                                            "r" + std::to_string(round)));
    }
    std::printf("  server driven directly (ceiling):  %10.0f items/s\n", ceiling);
    std::printf("  embedder core, openai backend:     %10.0f items/s   %.1f%% of the ceiling\n",
                embedder, 100.0 * embedder / ceiling);
  }
  const double hash_alone = RunHashAlone(hash_items, udims);
  HashBackend hash(udims);
  const double hash_core = RunCore(hash, hash_items, batch, concurrency, udims, "h");
  std::printf("  hash backend alone (HashEmbed):    %10.0f items/s\n", hash_alone);
  std::printf("  embedder core, hash backend:       %10.0f items/s   (Kafka stubbed)\n", hash_core);
  return 0;
}

}  // namespace
}  // namespace tributary::embedder

int main(int argc, char** argv) { return tributary::embedder::Main(argc, argv); }
