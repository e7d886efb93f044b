#include "services/embedder/http_client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>

#include <optional>

#include <fmt/format.h>

namespace tributary::embedder {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr auto kAwait = net::as_tuple(net::use_awaitable);
// Large batches of large vectors as JSON text: 2048 inputs × 3072 dims is ~80 MB.
constexpr std::uint64_t kMaxResponseBytes = 256ULL * 1024 * 1024;

}  // namespace

tl::expected<Endpoint, std::string> ParseEndpoint(const std::string& url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return tl::unexpected(fmt::format("'{}' is not an absolute URL", url));
  Endpoint endpoint;
  const auto scheme = parsed->scheme();
  if (scheme == "https") {
    endpoint.tls = true;
  } else if (scheme != "http") {
    return tl::unexpected(fmt::format("'{}': the scheme must be http or https", url));
  }
  endpoint.host = parsed->encoded_host();
  if (endpoint.host.empty()) return tl::unexpected(fmt::format("'{}' has no host", url));
  // [::1] → ::1 for the resolver.
  if (endpoint.host.front() == '[' && endpoint.host.back() == ']') {
    endpoint.host = endpoint.host.substr(1, endpoint.host.size() - 2);
  }
  endpoint.port = parsed->has_port() ? std::string(parsed->port()) : (endpoint.tls ? "443" : "80");
  endpoint.target = parsed->encoded_path().empty() ? "/" : std::string(parsed->encoded_path());
  if (parsed->has_query()) endpoint.target += "?" + std::string(parsed->encoded_query());
  return endpoint;
}

std::shared_ptr<net::ssl::context> MakeTlsContext(const std::string& ca_file) {
  auto context = std::make_shared<net::ssl::context>(net::ssl::context::tls_client);
  context->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                       net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                       net::ssl::context::no_tlsv1_1);
  context->set_default_verify_paths();
  if (!ca_file.empty()) context->load_verify_file(ca_file);
  context->set_verify_mode(net::ssl::verify_peer);
  return context;
}

struct HttpConnection::Stream {
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  bool used = false;  // served a request before: it may have been closed by the server

  beast::tcp_stream& Lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
};

HttpConnection::HttpConnection(Endpoint endpoint, std::shared_ptr<net::ssl::context> tls,
                               std::chrono::milliseconds timeout)
    : endpoint_(std::move(endpoint)), tls_(std::move(tls)), timeout_(timeout), io_(1) {}

HttpConnection::~HttpConnection() = default;

namespace {

struct Exchange {
  std::optional<HttpResponse> response;
  HttpFailure failure;
  bool before_response = false;  // failed before any response byte: safe to resend
};

HttpFailure Failure(const beast::error_code& ec, std::string_view step) {
  return {.timeout = ec == beast::error::timeout, .message = fmt::format("{}: {}", step, ec.message())};
}

}  // namespace

tl::expected<HttpResponse, HttpFailure> HttpConnection::Post(
    const std::string& body, const std::vector<std::pair<std::string, std::string>>& headers) {
  http::request<http::string_body> request(http::verb::post, endpoint_.target, 11);
  const bool default_port = endpoint_.port == (endpoint_.tls ? "443" : "80");
  request.set(http::field::host,
              default_port ? endpoint_.host : endpoint_.host + ":" + endpoint_.port);
  request.set(http::field::user_agent, "tributary-embedder/0.1");
  request.set(http::field::content_type, "application/json");
  request.set(http::field::accept, "application/json");
  request.keep_alive(true);
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();

  for (int attempt = 0;; ++attempt) {
    const bool reused = stream_ != nullptr && stream_->used;
    Exchange exchange;
    auto run = [&]() -> net::awaitable<void> {
      const auto deadline = timeout_;
      if (!stream_) {
        auto stream = std::make_unique<Stream>();
        if (endpoint_.tls) {
          stream->tls.emplace(io_, *tls_);
        } else {
          stream->plain.emplace(io_);
        }
        stream->Lowest().expires_after(deadline);
        tcp::resolver resolver(io_);
        auto [rec, results] = co_await resolver.async_resolve(endpoint_.host, endpoint_.port, kAwait);
        if (rec) {
          exchange.failure = Failure(rec, "resolve " + endpoint_.host);
          co_return;
        }
        auto [cec, ep] = co_await stream->Lowest().async_connect(results, kAwait);
        if (cec) {
          exchange.failure = Failure(cec, "connect");
          co_return;
        }
        if (stream->tls) {
          SSL* ssl = stream->tls->native_handle();
          // SSL_set_tlsext_host_name is a macro with a C cast; this is the call it makes.
          SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                   const_cast<char*>(endpoint_.host.c_str()));
          X509_VERIFY_PARAM_set1_host(SSL_get0_param(ssl), endpoint_.host.c_str(), 0);
          auto [hec] = co_await stream->tls->async_handshake(net::ssl::stream_base::client, kAwait);
          if (hec) {
            exchange.failure = Failure(hec, "TLS handshake");
            co_return;
          }
        }
        stream_ = std::move(stream);
      }
      auto& stream = *stream_;
      stream.Lowest().expires_after(deadline);
      http::response_parser<http::string_body> parser;
      parser.body_limit(kMaxResponseBytes);
      beast::error_code wec;
      if (stream.tls) {
        std::tie(wec, std::ignore) = co_await http::async_write(*stream.tls, request, kAwait);
      } else {
        std::tie(wec, std::ignore) = co_await http::async_write(*stream.plain, request, kAwait);
      }
      if (wec) {
        exchange.failure = Failure(wec, "write");
        exchange.before_response = true;
        co_return;
      }
      beast::error_code rec;
      if (stream.tls) {
        std::tie(rec, std::ignore) = co_await http::async_read(*stream.tls, stream.buffer, parser, kAwait);
      } else {
        std::tie(rec, std::ignore) = co_await http::async_read(*stream.plain, stream.buffer, parser, kAwait);
      }
      if (rec) {
        exchange.failure = Failure(rec, "read");
        exchange.before_response = !parser.got_some() && rec != beast::error::timeout;
        co_return;
      }
      stream.used = true;
      auto response = parser.release();
      HttpResponse out;
      out.status = static_cast<int>(response.result_int());
      out.retry_after = std::string(response[http::field::retry_after]);
      out.retry_after_ms = std::string(response["retry-after-ms"]);
      out.body = std::move(response.body());
      if (!response.keep_alive()) stream_.reset();
      exchange.response = std::move(out);
    };
    io_.restart();
    net::co_spawn(io_, run(), [&](const std::exception_ptr& error) {
      if (!error) return;
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        exchange.failure = {.timeout = false, .message = e.what()};
      }
    });
    io_.run();
    if (exchange.response) return std::move(*exchange.response);
    stream_.reset();  // a failed connection is never reused
    if (reused && exchange.before_response && attempt == 0) continue;
    return tl::unexpected(exchange.failure);
  }
}

}  // namespace tributary::embedder
