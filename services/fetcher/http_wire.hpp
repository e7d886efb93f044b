#pragma once
// The bytes the fetcher's HTTP/1.1 client puts on the wire and what it keeps of the answer.
//
// Beast's general message types cost more than a fetcher needs on its hot path (bench/fetcher):
// `basic_fields` allocates a node for every header line in both directions, the request goes out
// through a layered buffer sequence, and `string_body` zero-fills each piece of the body before
// copying into it. A fetch sends one fixed-shape GET and acts on nine response fields, so the
// request is written as one string and the response parser (Beast's own `basic_parser`, which
// still does all the framing: chunked, Content-Length, keep-alive, the header and body limits)
// keeps only those fields and appends the body as it arrives.
#include <boost/beast/http/basic_parser.hpp>
#include <cstddef>
#include <string>
#include <string_view>

namespace tributary::fetcher {

struct Target;

struct RequestHeaders {
  std::string_view user_agent;
  std::string_view if_none_match;      // empty: not sent
  std::string_view if_modified_since;  // empty: not sent
};

// "GET <target> HTTP/1.1" with Host, User-Agent, Accept, Accept-Encoding and the conditional
// headers. A value holding CR, LF or NUL (a corrupt stored validator, say) is left out rather
// than let it split the request: the fetch goes out unconditional instead.
std::string WriteRequest(const Target& target, const RequestHeaders& headers);

struct HttpResponse {
  unsigned status = 0;
  std::string reason;
  // The first occurrence of each field, except Cache-Control, whose repeats are one list
  // (RFC 9110 §5.3).
  std::string content_type;
  std::string content_encoding;
  std::string etag;
  std::string last_modified;
  std::string cache_control;
  std::string expires;
  std::string date;
  std::string retry_after;
  std::string location;
  std::string body;  // as received: still compressed when content_encoding says so
  bool keep_alive = false;
};

class ResponseParser final : public boost::beast::http::basic_parser<false> {
 public:
  ResponseParser(std::size_t max_header_bytes, std::size_t max_body_bytes);

  // The parsed response; call once, after is_done().
  HttpResponse Release();

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;

  void on_request_impl(boost::beast::http::verb method, string_view method_str,
                       string_view target, int version, error_code& ec) override;
  void on_response_impl(int code, string_view reason, int version, error_code& ec) override;
  void on_field_impl(boost::beast::http::field name, string_view name_string, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         error_code& ec) override;
  std::size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, string_view extensions, error_code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, string_view body, error_code& ec) override;
  void on_finish_impl(error_code& ec) override;

  std::size_t max_body_bytes_;
  HttpResponse response_;
};

}  // namespace tributary::fetcher
