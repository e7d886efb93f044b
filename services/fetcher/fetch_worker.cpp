#include "services/fetcher/fetch_worker.hpp"

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>

#include "common/base/shutdown.hpp"
#include "common/base/url_credentials.hpp"
#include "common/codec/codec.hpp"
#include "common/codec/topics.hpp"
#include "common/log/log.hpp"
#include "common/log/mask.hpp"
#include "common/log/trace_scope.hpp"
#include "common/runtime/dead_letterer.hpp"
#include "common/runtime/outbox.hpp"
#include "services/fetcher/records.hpp"

namespace tributary::fetcher {
namespace {

namespace net = boost::asio;

}  // namespace

// Everything a fetch coroutine touches after Handle returned: the outbox (whose delivery
// callbacks hold its state on their own), the metrics and the in-flight count.
struct FetchWorker::Shared {
  Shared(runtime::RecordSink& sink, runtime::DeadLetters& dead_letters,
         runtime::Completions& completions, FetcherMetrics& metrics_in,
         std::chrono::milliseconds retry_delay)
      : dead_letterer(dead_letters, completions),
        outbox(sink, dead_letterer, completions, SteadyClock::Instance(),
               {.retry_delay = retry_delay, .reproduced = &metrics_in.redeliveries}),
        metrics(metrics_in) {}

  runtime::DeadLetterer dead_letterer;
  runtime::Outbox outbox;
  FetcherMetrics& metrics;
  std::atomic<std::size_t> in_flight{0};
};

namespace {

net::awaitable<void> RunFetch(std::shared_ptr<FetchWorker::Shared> shared, FetchEngine* engine,
                              std::string documents_topic, std::string events_topic,
                              kafka::Message message, v1::FetchRequest request);

}  // namespace

FetchWorker::FetchWorker(WorkerSettings settings, runtime::RecordSink& sink,
                         runtime::DeadLetters& dead_letters, runtime::Completions& completions,
                         FetcherMetrics& metrics)
    : settings_(std::move(settings)),
      shared_(std::make_shared<Shared>(sink, dead_letters, completions, metrics,
                                       settings_.retry_delay)),
      io_(std::make_unique<net::io_context>(1)) {
  engine_ = std::make_unique<FetchEngine>(io_->get_executor(), settings_.engine, &metrics);
}

FetchWorker::~FetchWorker() {
  Stop();
  // Order matters: close the gate and the pool while the io_context lives; destroying the
  // io_context destroys the frames of abandoned fetches, which may still return gate permits
  // and close sockets, so the engine they point to goes only after that.
  engine_->Close();
  io_.reset();
  engine_.reset();
  shared_->outbox.Detach();
}

void FetchWorker::Start() {
  work_ = std::make_unique<net::executor_work_guard<net::io_context::executor_type>>(
      io_->get_executor());
  thread_ = std::thread([this] {
    try {
      io_->run();
    } catch (const std::exception& e) {
      // A fetch coroutine must never throw; if one does, the stage cannot vouch for its work.
      log::Get("fetcher")->critical("the fetch thread failed: {}; stopping", e.what());
      Shutdown::Request();
    }
  });
}

void FetchWorker::Stop() {
  if (!thread_.joinable()) return;
  work_.reset();
  io_->stop();
  thread_.join();
}

std::size_t FetchWorker::InFlight() const { return shared_->in_flight.load(); }

void FetchWorker::Handle(kafka::Message message) {
  const auto content_type = message.Header(codec::kContentTypeHeader).value_or("");
  auto request = codec::Decode<v1::FetchRequest>(message.value, content_type);
  if (!request) {
    shared_->metrics.undecodable.Inc();
    shared_->dead_letterer.DeadLetter(message, request.error());
    return;
  }
  // Credentials are never sent; a password must not reach documents, events or logs either.
  request->set_url(RedactUrlPassword(request->url()));
  shared_->in_flight.fetch_add(1);
  shared_->metrics.in_flight.Add(1);
  // co_spawn from the io thread only: the engine is single-threaded.
  net::post(*io_, [this, shared = shared_, engine = engine_.get(), message = std::move(message),
                   request = std::move(*request)]() mutable {
    net::co_spawn(*io_,
                  RunFetch(shared, engine, settings_.documents_topic, settings_.events_topic,
                           std::move(message), std::move(request)),
                  [](const std::exception_ptr& error) {
                    if (error) std::rethrow_exception(error);  // caught by the thread entry
                  });
  });
}

bool FetchWorker::Tick() {
  const auto now = std::chrono::steady_clock::now();
  shared_->outbox.Tick();
  if (now >= next_breaker_update_ && engine_) {
    next_breaker_update_ = now + std::chrono::seconds(1);
    // The gate is single-threaded: read it on the io thread.
    net::post(*io_, [engine = engine_.get(), shared = shared_] {
      shared->metrics.SetBreakers(engine->gate().BreakerCounts());
      shared->metrics.slowed_hosts.Set(engine->gate().SlowedHostCount());
    });
  }
  return true;
}

namespace {

net::awaitable<void> RunFetch(std::shared_ptr<FetchWorker::Shared> shared, FetchEngine* engine,
                              std::string documents_topic, std::string events_topic,
                              kafka::Message message, v1::FetchRequest request) {
  auto response = co_await engine->Fetch(request);
  // Error texts quote URLs, which may carry credentials; they leave the process in the event.
  if (!response.error.empty()) response.error = log::Mask(response.error);
  shared->in_flight.fetch_sub(1);
  shared->metrics.in_flight.Add(-1);
  shared->metrics.Record(response);
  if (!response.ok()) {
    // Set and ended between two co_awaits: other fetches run on this thread meanwhile.
    const log::TraceScope trace(message.Traceparent());
    log::Get("fetcher")->info("source {} request {}: {} failed: {} ({})", request.source_id(),
                              request.request_id(), request.url(), response.error,
                              response.error_class);
  }
  const auto now = std::chrono::system_clock::now();
  const auto key = topics::SourceKey(request.source_id());
  std::vector<kafka::Record> records;
  if (HasDocument(response)) {
    records.push_back({documents_topic, key, codec::Encode(MakeDocument(request, response, now))});
  }
  // The outcome goes last: when the loader sees it, the document is already on its topic.
  records.push_back({events_topic, key, codec::Encode(MakeEvent(request, response, now))});
  shared->outbox.Emit(std::move(message), std::move(records));
}

}  // namespace

}  // namespace tributary::fetcher
