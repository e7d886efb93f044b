// The records one fetch turns into: a document for a 200 only; an event always.
#include <gtest/gtest.h>

#include "services/fetcher/records.hpp"

namespace tributary::fetcher {
namespace {

v1::FetchRequest Request() {
  v1::FetchRequest request;
  request.set_source_id(7);
  request.set_url("https://example.com/feed");
  request.set_request_id("r-1");
  return request;
}

TEST(Records, OkBecomesDocumentAndEvent) {
  FetchResponse response;
  response.outcome = v1::FETCH_OUTCOME_OK;
  response.status = 200;
  response.final_url = "https://example.com/feed.xml";
  response.content_type = "application/rss+xml";
  response.etag = "\"abc\"";
  response.last_modified = "Sun, 06 Nov 1994 08:49:37 GMT";
  response.body = "<rss/>";
  response.wire_bytes = 40;
  response.latency = std::chrono::milliseconds(1500);
  response.max_age = std::chrono::seconds(300);
  ASSERT_TRUE(HasDocument(response));
  const auto at = std::chrono::system_clock::from_time_t(1'700'000'000);
  const auto event = MakeEvent(Request(), response, at);
  const auto document = MakeDocument(Request(), response, at);
  EXPECT_EQ(document.request().request_id(), "r-1");
  EXPECT_EQ(document.final_url(), "https://example.com/feed.xml");
  EXPECT_EQ(document.body(), "<rss/>");
  EXPECT_EQ(document.etag(), "\"abc\"");
  EXPECT_EQ(document.fetched_at().seconds(), 1'700'000'000);
  EXPECT_EQ(document.latency().seconds(), 1);
  EXPECT_EQ(document.latency().nanos(), 500'000'000);
  EXPECT_EQ(event.source_id(), 7);
  EXPECT_EQ(event.error_class(), "");
  EXPECT_EQ(event.fetch().outcome(), v1::FETCH_OUTCOME_OK);
  EXPECT_EQ(event.fetch().status(), 200U);
  EXPECT_EQ(event.fetch().bytes(), 40);
  EXPECT_EQ(event.fetch().max_age().seconds(), 300);
  EXPECT_FALSE(event.fetch().has_retry_after());
}

TEST(Records, NotModifiedHasNoDocument) {
  FetchResponse response;
  response.outcome = v1::FETCH_OUTCOME_OK;
  response.status = 304;
  response.etag = "\"abc\"";
  EXPECT_FALSE(HasDocument(response));
  const auto event = MakeEvent(Request(), response, std::chrono::system_clock::now());
  EXPECT_EQ(event.fetch().outcome(), v1::FETCH_OUTCOME_NOT_MODIFIED);
  EXPECT_EQ(event.fetch().status(), 304U);
  EXPECT_EQ(event.fetch().etag(), "\"abc\"");
}

TEST(Records, FailuresCarryClassMessageAndRetryAfter) {
  FetchResponse response;
  response.status = 503;
  response.error_class = "http_5xx";
  response.error = "HTTP 503 Service Unavailable";
  response.retry_after = std::chrono::seconds(120);
  response.outcome = OutcomeForErrorClass(response.error_class);
  EXPECT_FALSE(HasDocument(response));
  const auto event = MakeEvent(Request(), response, std::chrono::system_clock::now());
  EXPECT_EQ(event.error_class(), "http_5xx");
  EXPECT_EQ(event.fetch().outcome(), v1::FETCH_OUTCOME_HTTP_ERROR);
  EXPECT_EQ(event.fetch().retry_after().seconds(), 120);
}

TEST(Records, OutcomeForEveryErrorClass) {
  EXPECT_EQ(OutcomeForErrorClass(""), v1::FETCH_OUTCOME_OK);
  for (const char* c : {"ssrf", "scheme", "url", "robots", "circuit_open", "host_backoff"}) {
    EXPECT_EQ(OutcomeForErrorClass(c), v1::FETCH_OUTCOME_REFUSED) << c;
  }
  for (const char* c : {"body_too_large", "header_too_large", "decompression_bomb"}) {
    EXPECT_EQ(OutcomeForErrorClass(c), v1::FETCH_OUTCOME_TOO_LARGE) << c;
  }
  for (const char* c : {"http_4xx", "http_5xx", "redirect_loop", "too_many_redirects"}) {
    EXPECT_EQ(OutcomeForErrorClass(c), v1::FETCH_OUTCOME_HTTP_ERROR) << c;
  }
  for (const char* c : {"dns", "connect", "tls", "timeout", "protocol", "truncated"}) {
    EXPECT_EQ(OutcomeForErrorClass(c), v1::FETCH_OUTCOME_NETWORK_ERROR) << c;
  }
}

}  // namespace
}  // namespace tributary::fetcher
