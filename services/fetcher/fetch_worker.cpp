#include "services/fetcher/fetch_worker.hpp"

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <deque>
#include <mutex>

#include "common/base/shutdown.hpp"
#include "common/base/url_credentials.hpp"
#include "common/codec/codec.hpp"
#include "common/log/log.hpp"
#include "common/log/mask.hpp"
#include "common/log/trace_scope.hpp"
#include "services/fetcher/records.hpp"

namespace tributary::fetcher {
namespace {

namespace net = boost::asio;

// The trace travels from request to row, one span per stage (DESIGN §7).
kafka::Headers HeadersFrom(const kafka::Message& message) {
  return kafka::DerivedHeaders(
      message, {{std::string(codec::kContentTypeHeader), std::string(codec::kProtobufContentType)}});
}

}  // namespace

// Everything a fetch coroutine or a delivery callback touches after Handle returned.
struct FetchWorker::Shared {
  struct Pending {
    kafka::Message message;
    std::vector<kafka::Record> records;  // kept to produce again if a delivery fails
    std::atomic<int> outstanding{1};
    std::mutex mutex;
    std::optional<Error> error;
  };
  struct Failed {
    kafka::Message message;
    std::vector<kafka::Record> records;
    Error error;
    std::chrono::steady_clock::time_point not_before;
  };

  Shared(RecordSink& sink_in, Completions& completions_in, FetcherMetrics& metrics_in,
         std::chrono::milliseconds retry_delay_in)
      : sink(sink_in), completions(&completions_in), metrics(metrics_in),
        retry_delay(retry_delay_in) {}

  void Emit(kafka::Message message, std::vector<kafka::Record> records,
            const std::shared_ptr<Shared>& self) {
    auto pending = std::make_shared<Pending>();
    pending->message = std::move(message);
    pending->records = std::move(records);
    for (const auto& record : pending->records) {
      pending->outstanding.fetch_add(1);
      auto sent = sink.Send(record, [self, pending](const Result<void>& delivered) {
        if (!delivered) self->Fail(*pending, delivered.error());
        self->Finish(pending);
      });
      if (!sent) {
        Fail(*pending, sent.error());
        Finish(pending);
      }
    }
    Finish(pending);
  }

  static void Fail(Pending& pending, const Error& error) {
    std::lock_guard lock(pending.mutex);
    if (!pending.error) pending.error = error;
  }

  void Finish(const std::shared_ptr<Pending>& pending) {
    if (pending->outstanding.fetch_sub(1) != 1) return;
    std::optional<Error> error;
    {
      std::lock_guard lock(pending->mutex);
      error = pending->error;
    }
    std::lock_guard lock(mutex);
    if (!error) {
      if (completions != nullptr) completions->Complete(pending->message);
      return;
    }
    failed.push_back({std::move(pending->message), std::move(pending->records), *error,
                      std::chrono::steady_clock::now() +
                          (error->retryable() ? retry_delay : std::chrono::milliseconds(0))});
  }

  // No completion target any more (the worker is gone): late callbacks do nothing.
  void Detach() {
    std::lock_guard lock(mutex);
    completions = nullptr;
    failed.clear();
  }

  RecordSink& sink;
  std::mutex mutex;  // guards completions and failed
  Completions* completions;
  std::deque<Failed> failed;
  FetcherMetrics& metrics;
  std::chrono::milliseconds retry_delay;
  std::atomic<std::size_t> in_flight{0};
};

namespace {

net::awaitable<void> RunFetch(std::shared_ptr<FetchWorker::Shared> shared, FetchEngine* engine,
                              std::string documents_topic, std::string events_topic,
                              kafka::Message message, v1::FetchRequest request);

}  // namespace

FetchWorker::FetchWorker(WorkerSettings settings, RecordSink& sink, DeadLetters& dead_letters,
                         Completions& completions, FetcherMetrics& metrics)
    : settings_(std::move(settings)),
      dead_letters_(dead_letters),
      shared_(std::make_shared<Shared>(sink, completions, metrics, settings_.retry_delay)),
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
  shared_->Detach();
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
    const log::TraceScope trace(message.Traceparent());
    shared_->metrics.undecodable.Inc();
    auto logger = log::Get("fetcher");
    logger->warn("{} [{}] @{}: {}; sending to the dead-letter topic", message.topic,
                 message.partition, message.offset, request.error().ToString());
    // A DLQ failure is the broker being unavailable: wait and retry, the offset must not move.
    auto delay = std::chrono::milliseconds(100);
    while (true) {
      auto published = dead_letters_.Publish(message, request.error());
      if (published) break;
      if (Shutdown::Requested()) return;  // unstored: the next owner sees it again
      logger->error("dead-lettering {} @{} failed: {}; retrying in {} ms", message.topic,
                    message.offset, published.error().message, delay.count());
      std::this_thread::sleep_for(delay);
      delay = std::min(delay * 2, std::chrono::milliseconds(10'000));
    }
    std::lock_guard lock(shared_->mutex);
    if (shared_->completions != nullptr) shared_->completions->Complete(message);
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
  std::deque<Shared::Failed> due;
  {
    std::lock_guard lock(shared_->mutex);
    while (!shared_->failed.empty() && shared_->failed.front().not_before <= now) {
      due.push_back(std::move(shared_->failed.front()));
      shared_->failed.pop_front();
    }
  }
  for (auto& failed : due) {
    const log::TraceScope trace(failed.message.Traceparent());
    if (failed.error.retryable()) {
      log::Get("fetcher")->warn("{} [{}] @{}: producing the fetch result failed ({}); producing "
                                "again",
                                failed.message.topic, failed.message.partition,
                                failed.message.offset, failed.error.message);
      shared_->metrics.redeliveries.Inc();
      shared_->Emit(std::move(failed.message), std::move(failed.records), shared_);
    } else {
      // A record the broker can never take: the request itself is poison.
      auto published = dead_letters_.Publish(failed.message, failed.error);
      std::lock_guard lock(shared_->mutex);
      if (published && shared_->completions != nullptr) {
        shared_->completions->Complete(failed.message);
      }
    }
  }
  if (now >= next_breaker_update_ && engine_) {
    next_breaker_update_ = now + std::chrono::seconds(1);
    // The gate is single-threaded: read it on the io thread.
    net::post(*io_, [engine = engine_.get(), shared = shared_] {
      shared->metrics.SetBreakers(engine->gate().BreakerCounts());
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
  const auto headers = HeadersFrom(message);
  const auto key = std::to_string(request.source_id());
  std::vector<kafka::Record> records;
  if (HasDocument(response)) {
    records.push_back(
        {documents_topic, key, codec::Encode(MakeDocument(request, response, now)), headers});
  }
  // The outcome goes last: when the loader sees it, the document is already on its topic.
  records.push_back({events_topic, key, codec::Encode(MakeEvent(request, response, now)), headers});
  shared->Emit(std::move(message), std::move(records), shared);
}

}  // namespace

}  // namespace tributary::fetcher
