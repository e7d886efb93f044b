#include "services/parser/core.hpp"

#include "common/codec/codec.hpp"
#include "common/codec/topics.hpp"
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

}  // namespace

Core::Core(CoreSettings settings, runtime::RecordSink& sink, runtime::DeadLetters& dead_letters,
           runtime::Completions& completions, StageMetrics& metrics, const Clock& clock)
    : settings_(std::move(settings)),
      metrics_(metrics),
      dead_letterer_(dead_letters, completions),
      outbox_(sink, dead_letterer_, completions, clock,
              {.retry_delay = settings_.retry_delay, .reproduced = &metrics_.redeliveries}) {}

void Core::Handle(kafka::Message message) {
  const log::TraceScope trace(message.Traceparent());
  const auto content_type = message.Header(codec::kContentTypeHeader).value_or("");
  auto document = codec::Decode<v1::FetchedDocument>(message.value, content_type);
  if (!document) {
    metrics_.documents.Labels({"unknown", "undecodable"}).Inc();
    dead_letterer_.DeadLetter(message, document.error());
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
  const auto started = std::chrono::steady_clock::now();
  const auto parsed = Parse(input, settings_.limits);
  metrics_.parse_seconds.Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  metrics_.documents
      .Labels({parsed ? FormatName(parsed->format) : "unknown", parsed ? "ok" : "parse_error"})
      .Inc();

  const auto source_key = topics::SourceKey(document->request().source_id());
  std::vector<kafka::Record> records;
  if (parsed) {
    records.reserve(parsed->items.size() + parsed->children.size() + 1);
    for (const auto& item : parsed->items) {
      records.push_back({settings_.items_topic, topics::ItemKey(item), codec::Encode(item)});
    }
    for (const auto& child : parsed->children) {
      records.push_back({settings_.requests_topic,
                         codec::FetchRequestKey(child, settings_.politeness_scope),
                         codec::Encode(child)});
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
  records.push_back(
      {settings_.events_topic, source_key, codec::Encode(EventFor(*document, parsed))});
  outbox_.Emit(std::move(message), std::move(records));
}

bool Core::Tick() {
  outbox_.Tick();
  return true;
}

namespace {

void SetFeedInfo(const FeedMetadata& meta, v1::FeedInfo& feed) {
  feed.set_id(meta.id);
  feed.set_title(meta.title);
  feed.set_link(meta.link);
  feed.set_subtitle(meta.description);
  feed.set_language(meta.language);
  if (meta.updated_unix != 0) feed.mutable_updated_at()->set_seconds(meta.updated_unix);
  for (const auto& author : meta.authors) {
    auto* person = feed.add_authors();
    person->set_name(author.name);
    person->set_email(author.email);
    person->set_uri(author.uri);
  }
  for (const auto& category : meta.categories) feed.add_categories(category);
}

}  // namespace

v1::SourceEvent Core::EventFor(const v1::FetchedDocument& document,
                               const Result<ParsedDocument>& parsed) {
  v1::SourceEvent event;
  event.set_source_id(document.request().source_id());
  event.set_request_id(document.request().request_id());
  event.set_url(document.final_url().empty() ? document.request().url() : document.final_url());
  event.set_depth(document.request().depth());
  event.set_parent_request_id(document.request().parent_request_id());
  if (document.request().has_article_of()) {
    *event.mutable_article_of() = document.request().article_of();
  }
  *event.mutable_observed_at() = document.fetched_at();
  auto* result = event.mutable_parse();
  result->set_ok(parsed.has_value());
  if (parsed) {
    result->set_format(FormatName(parsed->format));
    result->set_items_seen(static_cast<std::uint32_t>(parsed->items.size()));
    result->set_children(static_cast<std::uint32_t>(parsed->children.size()));
    for (const auto& warning : parsed->warnings) result->add_warnings(warning);
    // The feed's own metadata describes the source; a child's (a sitemap's page) does not.
    if (document.request().depth() == 0 && document.request().parent_request_id().empty()) {
      SetFeedInfo(parsed->metadata, *result->mutable_feed());
      if (result->feed().ByteSizeLong() == 0) result->clear_feed();
    }
  } else {
    event.set_error_class("parse");
    event.set_error(parsed.error().message);
  }
  return event;
}

}  // namespace tributary::parser
