#include "services/fetcher/http_wire.hpp"

#include <algorithm>
#include <limits>

#include "services/fetcher/http_rules.hpp"

namespace tributary::fetcher {
namespace {

namespace http = boost::beast::http;

bool FitsOnOneLine(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

void AppendField(std::string& out, std::string_view name, std::string_view value) {
  if (value.empty() || !FitsOnOneLine(value)) return;
  out.append(name).append(": ").append(value).append("\r\n");
}

void KeepFirst(std::string& kept, std::string_view value) {
  if (kept.empty()) kept.assign(value.data(), value.size());
}

}  // namespace

std::string WriteRequest(const Target& target, const RequestHeaders& headers) {
  std::string out;
  out.reserve(256 + target.target.size() + headers.user_agent.size() +
              headers.if_none_match.size() + headers.if_modified_since.size());
  out.append("GET ").append(target.target).append(" HTTP/1.1\r\n");
  AppendField(out, "Host", target.HostHeader());
  AppendField(out, "User-Agent", headers.user_agent);
  out.append("Accept: */*\r\nAccept-Encoding: gzip, deflate\r\n");
  AppendField(out, "If-None-Match", headers.if_none_match);
  AppendField(out, "If-Modified-Since", headers.if_modified_since);
  out.append("\r\n");
  return out;
}

ResponseParser::ResponseParser(std::size_t max_header_bytes, std::size_t max_body_bytes)
    : max_body_bytes_(max_body_bytes) {
  header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
  body_limit(static_cast<std::uint64_t>(max_body_bytes));
}

HttpResponse ResponseParser::Release() {
  response_.keep_alive = keep_alive();
  return std::move(response_);
}

void ResponseParser::on_request_impl(http::verb /*method*/, string_view /*method_str*/,
                                     string_view /*target*/, int /*version*/, error_code& ec) {
  ec = http::error::bad_method;  // unreachable: this is a response parser
}

void ResponseParser::on_response_impl(int code, string_view reason, int /*version*/,
                                      error_code& /*ec*/) {
  response_.status = static_cast<unsigned>(code);
  response_.reason.assign(reason.data(), reason.size());
}

void ResponseParser::on_field_impl(http::field name, string_view /*name_string*/,
                                   string_view value, error_code& /*ec*/) {
  const std::string_view text(value.data(), value.size());
  switch (name) {
    case http::field::content_type: KeepFirst(response_.content_type, text); break;
    case http::field::content_encoding: KeepFirst(response_.content_encoding, text); break;
    case http::field::etag: KeepFirst(response_.etag, text); break;
    case http::field::last_modified: KeepFirst(response_.last_modified, text); break;
    case http::field::expires: KeepFirst(response_.expires, text); break;
    case http::field::date: KeepFirst(response_.date, text); break;
    case http::field::retry_after: KeepFirst(response_.retry_after, text); break;
    case http::field::location: KeepFirst(response_.location, text); break;
    case http::field::cache_control:
      if (!response_.cache_control.empty() && !text.empty()) response_.cache_control += ", ";
      response_.cache_control += text;
      break;
    default: break;  // the rest is framing (the parser's own) or nothing a fetch acts on
  }
}

void ResponseParser::on_header_impl(error_code& /*ec*/) {}

void ResponseParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                       error_code& /*ec*/) {
  // The parser has already refused a Content-Length over the body limit.
  if (content_length) {
    response_.body.reserve(static_cast<std::size_t>(
        std::min<std::uint64_t>(*content_length, max_body_bytes_)));
  }
}

std::size_t ResponseParser::on_body_impl(string_view body, error_code& /*ec*/) {
  response_.body.append(body.data(), body.size());
  return body.size();
}

void ResponseParser::on_chunk_header_impl(std::uint64_t /*size*/, string_view /*extensions*/,
                                          error_code& /*ec*/) {}

std::size_t ResponseParser::on_chunk_body_impl(std::uint64_t /*remain*/, string_view body,
                                               error_code& ec) {
  return on_body_impl(body, ec);
}

void ResponseParser::on_finish_impl(error_code& /*ec*/) {}

}  // namespace tributary::fetcher
