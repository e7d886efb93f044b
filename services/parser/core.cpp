#include "services/parser/core.hpp"

#include <atomic>
#include <thread>

#include "common/base/shutdown.hpp"
#include "common/codec/codec.hpp"
#include "common/log/log.hpp"
#include "common/log/trace_scope.hpp"
#include "services/parser/parser.hpp"

namespace tributary::parser {
namespace {

std::chrono::system_clock::time_point ToTimePoint(const google::protobuf::Timestamp& t) {
  return std::chrono::system_clock::time_point(
      std::chrono::seconds(t.seconds()) +
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::nanoseconds(t.nanos())));
}

// The trace travels from request to row, one span per stage (DESIGN §7).
kafka::Headers HeadersFrom(const kafka::Message& message) {
  return kafka::DerivedHeaders(
      message, {{std::string(codec::kContentTypeHeader), std::string(codec::kProtobufContentType)}});
}

}  // namespace

// One consumed message's outstanding deliveries. Starts at 1 (held by Handle itself) so the
// message cannot complete while its records are still being enqueued.
struct Core::Pending {
  kafka::Message message;
  std::atomic<int> outstanding{1};
  std::mutex error_mutex;
  std::optional<Error> error;
};

std::string ItemKey(const v1::Item& item) {
  return std::to_string(item.source_id()) + "/" + item.external_id();
}

Core::Core(CoreSettings settings, RecordSink& sink, DeadLetters& dead_letters,
           Completions& completions, StageMetrics& metrics)
    : settings_(std::move(settings)),
      sink_(sink),
      dead_letters_(dead_letters),
      completions_(completions),
      metrics_(metrics) {}

void Core::Handle(kafka::Message message) {
  const log::TraceScope trace(message.Traceparent());
  const auto content_type = message.Header(codec::kContentTypeHeader).value_or("");
  auto document = codec::Decode<v1::FetchedDocument>(message.value, content_type);
  if (!document) {
    metrics_.documents.Labels({"unknown", "undecodable"}).Inc();
    DeadLetter(message, document.error());
    return;
  }
  ParseInput input;
  input.body = std::move(*document->mutable_body());
  input.content_type = document->content_type();
  input.url = document->final_url().empty() ? document->request().url() : document->final_url();
  input.kind = document->request().kind();
  input.request = document->request();
  input.fetched_at =
      document->has_fetched_at()
          ? ToTimePoint(document->fetched_at())
          : std::chrono::system_clock::time_point(std::chrono::milliseconds(message.timestamp_ms));
  metrics_.document_bytes.Observe(static_cast<double>(input.body.size()));
  const auto started = Clock::now();
  const auto parsed = Parse(input, settings_.limits);
  metrics_.parse_seconds.Observe(std::chrono::duration<double>(Clock::now() - started).count());
  metrics_.documents
      .Labels({parsed ? FormatName(parsed->format) : "unknown", parsed ? "ok" : "parse_error"})
      .Inc();

  auto pending = std::make_shared<Pending>();
  pending->message = std::move(message);
  const auto headers = HeadersFrom(pending->message);
  const auto source_key = std::to_string(document->request().source_id());
  if (parsed) {
    for (const auto& item : parsed->items) {
      Emit(pending, {settings_.items_topic, ItemKey(item), codec::Encode(item), headers});
    }
    for (const auto& child : parsed->children) {
      Emit(pending, {settings_.requests_topic, source_key, codec::Encode(child), headers});
    }
    metrics_.items.Inc(static_cast<double>(parsed->items.size()));
    metrics_.children.Inc(static_cast<double>(parsed->children.size()));
    metrics_.warnings.Inc(static_cast<double>(parsed->warnings.size()));
  } else {
    log::Get("parser")->info("source {} request {}: cannot parse {}: {}",
                             document->request().source_id(), document->request().request_id(),
                             input.url, parsed.error().message);
  }
  // The outcome goes last: when the loader sees it, the items are already on their topic.
  Emit(pending,
       {settings_.events_topic, source_key, codec::Encode(EventFor(*document, parsed)), headers});
  Finish(pending);
}

void Core::Emit(std::shared_ptr<Pending> pending, kafka::Record record) {
  pending->outstanding.fetch_add(1);
  auto sent = sink_.Send(std::move(record), [this, pending](const Result<void>& delivered) {
    if (!delivered) {
      std::lock_guard lock(pending->error_mutex);
      if (!pending->error) pending->error = delivered.error();
    }
    Finish(pending);
  });
  if (!sent) {
    {
      std::lock_guard lock(pending->error_mutex);
      if (!pending->error) pending->error = sent.error();
    }
    Finish(pending);
  }
}

void Core::Finish(const std::shared_ptr<Pending>& pending) {
  if (pending->outstanding.fetch_sub(1) != 1) return;
  std::optional<Error> error;
  {
    std::lock_guard lock(pending->error_mutex);
    error = pending->error;
  }
  if (!error) {
    completions_.Complete(pending->message);
    return;
  }
  // Not on the delivery thread: the poll thread retries or dead-letters it in Tick().
  std::lock_guard lock(failed_mutex_);
  failed_.push_back(
      {std::move(pending->message), *error,
       Clock::now() + (error->retryable() ? settings_.retry_delay : std::chrono::milliseconds(0))});
}

bool Core::Tick(Clock::time_point now) {
  std::deque<Failed> due;
  {
    std::lock_guard lock(failed_mutex_);
    while (!failed_.empty() && failed_.front().not_before <= now) {
      due.push_back(std::move(failed_.front()));
      failed_.pop_front();
    }
  }
  for (auto& failed : due) {
    const log::TraceScope trace(failed.message.Traceparent());
    if (failed.error.retryable()) {
      log::Get("parser")->warn("{} [{}] @{}: producing its records failed ({}); producing again",
                               failed.message.topic, failed.message.partition,
                               failed.message.offset, failed.error.message);
      metrics_.redeliveries.Inc();
      Handle(std::move(failed.message));
    } else {
      DeadLetter(failed.message, failed.error);
    }
  }
  return true;
}

std::size_t Core::PendingRetries() const {
  std::lock_guard lock(failed_mutex_);
  return failed_.size();
}

void Core::DeadLetter(const kafka::Message& message, const Error& error) {
  const log::TraceScope trace(message.Traceparent());
  auto logger = log::Get("parser");
  logger->warn("{} [{}] @{}: {}; sending to the dead-letter topic", message.topic,
               message.partition, message.offset, error.ToString());
  // A DLQ failure is the broker being unavailable: wait and retry, the offset must not move.
  auto delay = std::chrono::milliseconds(100);
  while (true) {
    auto published = dead_letters_.Publish(message, error);
    if (published) break;
    if (Shutdown::Requested()) return;  // unstored: the next owner sees it again
    logger->error("dead-lettering {} @{} failed: {}; retrying in {} ms", message.topic,
                  message.offset, published.error().message, delay.count());
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(10'000));
  }
  completions_.Complete(message);
}

v1::SourceEvent Core::EventFor(const v1::FetchedDocument& document,
                               const Result<ParsedDocument>& parsed) {
  v1::SourceEvent event;
  event.set_source_id(document.request().source_id());
  event.set_request_id(document.request().request_id());
  event.set_url(document.final_url().empty() ? document.request().url() : document.final_url());
  event.set_depth(document.request().depth());
  event.set_parent_request_id(document.request().parent_request_id());
  *event.mutable_observed_at() = document.fetched_at();
  auto* result = event.mutable_parse();
  result->set_ok(parsed.has_value());
  if (parsed) {
    result->set_format(FormatName(parsed->format));
    result->set_items_seen(static_cast<std::uint32_t>(parsed->items.size()));
    result->set_children(static_cast<std::uint32_t>(parsed->children.size()));
    for (const auto& warning : parsed->warnings) result->add_warnings(warning);
  } else {
    event.set_error_class("parse");
    event.set_error(parsed.error().message);
  }
  return event;
}

}  // namespace tributary::parser
