#include "services/fetcher/records.hpp"

namespace tributary::fetcher {
namespace {

google::protobuf::Timestamp ToTimestamp(std::chrono::system_clock::time_point time) {
  const auto since = time.time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since);
  google::protobuf::Timestamp out;
  out.set_seconds(seconds.count());
  out.set_nanos(static_cast<std::int32_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(since - seconds).count()));
  return out;
}

template <typename Duration>
google::protobuf::Duration ToDuration(Duration duration) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(duration);
  google::protobuf::Duration out;
  out.set_seconds(seconds.count());
  out.set_nanos(static_cast<std::int32_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(duration - seconds).count()));
  return out;
}

}  // namespace

bool HasDocument(const FetchResponse& response) {
  return response.ok() && response.status == 200;
}

v1::FetchedDocument MakeDocument(const v1::FetchRequest& request, FetchResponse& response,
                                 std::chrono::system_clock::time_point fetched_at) {
  v1::FetchedDocument document;
  *document.mutable_request() = request;
  document.set_final_url(response.final_url);
  document.set_status(response.status);
  document.set_content_type(response.content_type);
  document.set_etag(response.etag);
  document.set_last_modified(response.last_modified);
  document.set_body(std::move(response.body));
  response.body.clear();
  *document.mutable_fetched_at() = ToTimestamp(fetched_at);
  *document.mutable_latency() = ToDuration(response.latency);
  return document;
}

v1::SourceEvent MakeEvent(const v1::FetchRequest& request, const FetchResponse& response,
                          std::chrono::system_clock::time_point observed_at) {
  v1::SourceEvent event;
  event.set_source_id(request.source_id());
  event.set_request_id(request.request_id());
  event.set_url(request.url());
  event.set_depth(request.depth());
  event.set_parent_request_id(request.parent_request_id());
  if (request.has_article_of()) *event.mutable_article_of() = request.article_of();
  *event.mutable_observed_at() = ToTimestamp(observed_at);
  event.set_error_class(response.error_class);
  event.set_error(response.error);
  auto* fetch = event.mutable_fetch();
  fetch->set_outcome(response.outcome != v1::FETCH_OUTCOME_UNSPECIFIED
                         ? response.outcome
                         : OutcomeForErrorClass(response.error_class));
  // A successful response reports its own kind of success: 304 is "not modified".
  if (response.ok() && response.status == 304) fetch->set_outcome(v1::FETCH_OUTCOME_NOT_MODIFIED);
  fetch->set_status(response.status);
  fetch->set_final_url(response.final_url);
  fetch->set_etag(response.etag);
  fetch->set_last_modified(response.last_modified);
  fetch->set_bytes(response.wire_bytes);
  *fetch->mutable_latency() = ToDuration(response.latency);
  if (response.retry_after) *fetch->mutable_retry_after() = ToDuration(*response.retry_after);
  if (response.max_age) *fetch->mutable_max_age() = ToDuration(*response.max_age);
  return event;
}

}  // namespace tributary::fetcher
