// The request bytes the client sends and what its response parser keeps, fed byte strings
// directly (the client's integration tests cover the same parser against a live server).
#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

#include "services/fetcher/http_rules.hpp"
#include "services/fetcher/http_wire.hpp"

namespace tributary::fetcher {
namespace {

namespace http = boost::beast::http;

Target TargetOf(std::string_view url) {
  auto target = ParseTarget(url);
  EXPECT_TRUE(target.has_value()) << url;
  return *target;
}

struct Parsed {
  HttpResponse response;
  boost::beast::error_code error;
};

// Feeds `wire` to a parser in pieces of `step` bytes, as reads from a socket would, then ends
// the stream (which completes a body delimited by the connection's close).
Parsed Parse(std::string_view wire, std::size_t max_header = 8192, std::size_t max_body = 1024,
             std::size_t step = 7) {
  ResponseParser parser(max_header, max_body);
  parser.eager(true);
  Parsed out;
  std::string pending;
  std::size_t fed = 0;
  while (!parser.is_done()) {
    const auto used = parser.put(boost::asio::buffer(pending), out.error);
    pending.erase(0, used);
    if (out.error == http::error::need_more) out.error = {};
    if (out.error) return out;
    if (parser.is_done() || used > 0) continue;
    if (fed == wire.size()) {
      parser.put_eof(out.error);  // the server closed the connection
      if (out.error) return out;
      break;
    }
    const auto take = std::min(step, wire.size() - fed);
    pending.append(wire.substr(fed, take));
    fed += take;
  }
  out.response = parser.Release();
  return out;
}

TEST(WriteRequest, AnUnconditionalGetNamesTheHostAndWhatItAccepts) {
  EXPECT_EQ(WriteRequest(TargetOf("https://Example.com/feed.xml?page=2"),
                         {.user_agent = "tributary-test/1"}),
            "GET /feed.xml?page=2 HTTP/1.1\r\n"
            "Host: example.com\r\n"
            "User-Agent: tributary-test/1\r\n"
            "Accept: */*\r\n"
            "Accept-Encoding: gzip, deflate\r\n"
            "\r\n");
}

TEST(WriteRequest, AConditionalGetCarriesBothValidatorsAndAPortOtherThanTheDefault) {
  EXPECT_EQ(WriteRequest(TargetOf("http://127.0.0.1:8080/"),
                         {.user_agent = "ua",
                          .if_none_match = "\"v1\"",
                          .if_modified_since = "Tue, 01 Dec 2026 10:00:00 GMT"}),
            "GET / HTTP/1.1\r\n"
            "Host: 127.0.0.1:8080\r\n"
            "User-Agent: ua\r\n"
            "Accept: */*\r\n"
            "Accept-Encoding: gzip, deflate\r\n"
            "If-None-Match: \"v1\"\r\n"
            "If-Modified-Since: Tue, 01 Dec 2026 10:00:00 GMT\r\n"
            "\r\n");
}

TEST(WriteRequest, AValueThatWouldSplitTheRequestIsLeftOut) {
  const auto request = WriteRequest(
      TargetOf("http://example.com/"),
      {.user_agent = "ua",
       .if_none_match = "\"x\"\r\nX-Injected: 1",
       .if_modified_since = std::string_view("Tue\0, 01 Dec 2026 10:00:00 GMT", 31)});
  EXPECT_EQ(request,
            "GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: ua\r\nAccept: */*\r\n"
            "Accept-Encoding: gzip, deflate\r\n\r\n");
}

TEST(ResponseParser, KeepsTheFieldsAFetchActsOnAndTheBody) {
  const auto parsed = Parse(
      "HTTP/1.1 200 OK\r\n"
      "Server: nginx\r\n"
      "Content-Type: application/rss+xml\r\n"
      "ETag: \"first\"\r\n"
      "ETag: \"second\"\r\n"
      "Last-Modified: Mon, 30 Nov 2026 08:00:00 GMT\r\n"
      "Cache-Control: public\r\n"
      "cache-control: max-age=60\r\n"
      "Expires: Tue, 01 Dec 2026 10:00:00 GMT\r\n"
      "Date: Tue, 01 Dec 2026 09:00:00 GMT\r\n"
      "Content-Encoding: gzip\r\n"
      "Retry-After: 120\r\n"
      "Content-Length: 11\r\n"
      "\r\n"
      "hello world");
  ASSERT_FALSE(parsed.error) << parsed.error.message();
  const auto& r = parsed.response;
  EXPECT_EQ(r.status, 200U);
  EXPECT_EQ(r.reason, "OK");
  EXPECT_EQ(r.content_type, "application/rss+xml");
  EXPECT_EQ(r.etag, "\"first\"");
  EXPECT_EQ(r.last_modified, "Mon, 30 Nov 2026 08:00:00 GMT");
  EXPECT_EQ(r.cache_control, "public, max-age=60");
  EXPECT_EQ(r.expires, "Tue, 01 Dec 2026 10:00:00 GMT");
  EXPECT_EQ(r.date, "Tue, 01 Dec 2026 09:00:00 GMT");
  EXPECT_EQ(r.content_encoding, "gzip");
  EXPECT_EQ(r.retry_after, "120");
  EXPECT_EQ(r.body, "hello world");
  EXPECT_TRUE(r.keep_alive);
}

TEST(ResponseParser, ARedirectKeepsItsLocation) {
  const auto parsed = Parse(
      "HTTP/1.1 301 Moved Permanently\r\nLocation: /new\r\nContent-Length: 0\r\n\r\n");
  ASSERT_FALSE(parsed.error) << parsed.error.message();
  EXPECT_EQ(parsed.response.status, 301U);
  EXPECT_EQ(parsed.response.location, "/new");
  EXPECT_TRUE(parsed.response.body.empty());
}

TEST(ResponseParser, AssemblesAChunkedBody) {
  const auto parsed = Parse(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n1;ext=1\r\n \r\n5\r\nworld\r\n0\r\n\r\n");
  ASSERT_FALSE(parsed.error) << parsed.error.message();
  EXPECT_EQ(parsed.response.body, "hello world");
  EXPECT_TRUE(parsed.response.keep_alive);
}

TEST(ResponseParser, ABodyEndedByTheCloseIsNotKeptAlive) {
  const auto parsed = Parse("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end");
  ASSERT_FALSE(parsed.error) << parsed.error.message();
  EXPECT_EQ(parsed.response.body, "until the end");
  EXPECT_FALSE(parsed.response.keep_alive);

  const auto old = Parse("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
  ASSERT_FALSE(old.error) << old.error.message();
  EXPECT_FALSE(old.response.keep_alive);
}

TEST(ResponseParser, RefusesABodyOverTheLimitAnnouncedOrChunked) {
  EXPECT_EQ(Parse("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world", 8192, 10).error,
            http::error::body_limit);
  EXPECT_EQ(Parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n",
                  8192, 10)
                .error,
            http::error::body_limit);
  EXPECT_EQ(Parse("HTTP/1.1 200 OK\r\n\r\nhello world, until the close", 8192, 10).error,
            http::error::body_limit);
  EXPECT_FALSE(Parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhelloworld", 8192, 10).error);
}

TEST(ResponseParser, RefusesAHeaderOverTheLimit) {
  const std::string wire = "HTTP/1.1 200 OK\r\nX-Padding: " + std::string(200, 'a') +
                           "\r\nContent-Length: 0\r\n\r\n";
  EXPECT_EQ(Parse(wire, 128).error, http::error::header_limit);
  EXPECT_FALSE(Parse(wire, 512).error);
}

TEST(ResponseParser, RefusesGarbage) {
  EXPECT_TRUE(Parse("SSH-2.0-OpenSSH_9.2\r\n\r\n").error);
}

}  // namespace
}  // namespace tributary::fetcher
