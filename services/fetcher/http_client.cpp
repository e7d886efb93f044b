#include "services/fetcher/http_client.hpp"

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http.hpp>
#include <set>
#include <type_traits>

#include "common/http/header_values.hpp"
#include "services/fetcher/decompress.hpp"
#include "services/fetcher/http_wire.hpp"

// GCC 12 flags Asio's coroutine frame allocation (awaitable_frame_base's operator new/delete
// over its recycling allocator) as a mismatched new/delete once enough of it is inlined into
// the coroutines below: a false positive (GCC PR 109224) that came and went with unrelated edits
// to this file.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace tributary::fetcher {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using SteadyTime = std::chrono::steady_clock::time_point;

constexpr auto kAwait = net::as_tuple(net::use_awaitable);

tl::unexpected<Error> Failure(std::string error_class, std::string message) {
  return Fail(ErrorKind::kPermanent, std::move(error_class), std::move(message));
}

// Sets the next operation's timer: `timeout` from now, but never past the fetch's deadline.
void Arm(beast::tcp_stream& stream, std::chrono::milliseconds timeout, SteadyTime deadline) {
  stream.expires_at(std::min(deadline, std::chrono::steady_clock::now() + timeout));
}

// Maps what went wrong on the wire to an error class an operator (and the scheduler) can use.
tl::unexpected<Error> FromErrorCode(const beast::error_code& ec, std::string_view during,
                                    SteadyTime deadline) {
  if (ec == beast::error::timeout) {
    const bool total = std::chrono::steady_clock::now() >= deadline;
    return Failure("timeout", fmt::format("{} timed out ({})", during,
                                          total ? "the fetch's total deadline passed"
                                                : "no data within the read timeout"));
  }
  if (ec == http::error::body_limit) {
    return Failure("body_too_large", "the body is over the size limit");
  }
  if (ec == http::error::header_limit) {
    return Failure("header_too_large", "the response header is over the size limit");
  }
  if (ec == http::error::partial_message) {
    return Failure("truncated",
                   "the server closed the connection before the body it announced was complete");
  }
  if (ec == http::error::end_of_stream || ec == net::error::eof) {
    return Failure("connection_closed", fmt::format("the server closed the connection during {}",
                                                    during));
  }
  if (ec.category() == beast::error_code(http::error::body_limit).category() ||
      ec == http::error::bad_chunk || ec == http::error::bad_version) {
    return Failure("protocol", fmt::format("not a valid HTTP response ({})", ec.message()));
  }
  if (ec.category() == net::error::get_ssl_category() ||
      ec.category() == net::ssl::error::get_stream_category()) {
    return Failure("tls", fmt::format("TLS error during {}: {}", during, ec.message()));
  }
  if (ec == net::error::connection_refused) {
    return Failure("connect", "connection refused");
  }
  if (ec == net::error::connection_reset) {
    return Failure("connection_reset", fmt::format("connection reset during {}", during));
  }
  return Failure("network", fmt::format("{} failed: {}", during, ec.message()));
}

// A failure of the server (or the path to it) that should count against its circuit breaker.
bool IsHostFailure(const Error& error) {
  static const std::set<std::string> kClasses{"connect", "timeout", "tls", "protocol",
                                              "truncated", "connection_closed",
                                              "connection_reset", "network"};
  return kClasses.contains(error.error_class);
}

}  // namespace

v1::FetchOutcome OutcomeForErrorClass(const std::string& error_class) {
  static const std::set<std::string> kRefused{"ssrf", "scheme", "url", "robots", "circuit_open",
                                              "host_backoff"};
  static const std::set<std::string> kTooLarge{"body_too_large", "header_too_large",
                                               "decompression_bomb"};
  if (error_class.empty()) return v1::FETCH_OUTCOME_OK;
  if (kRefused.contains(error_class)) return v1::FETCH_OUTCOME_REFUSED;
  if (kTooLarge.contains(error_class)) return v1::FETCH_OUTCOME_TOO_LARGE;
  if (error_class.starts_with("http_") || error_class == "redirect_loop" ||
      error_class == "too_many_redirects" || error_class == "redirect") {
    return v1::FETCH_OUTCOME_HTTP_ERROR;
  }
  return v1::FETCH_OUTCOME_NETWORK_ERROR;
}

HttpClient::HttpClient(net::any_io_executor executor, ClientSettings settings,
                       AddressPolicy policy, HostGate* gate, ClientObserver* observer)
    : executor_(std::move(executor)),
      settings_(std::move(settings)),
      policy_(std::move(policy)),
      gate_(gate),
      observer_(observer),
      tls_context_(net::ssl::context::tls_client),
      pool_(settings_.max_idle_per_origin, settings_.max_idle_total, settings_.idle_timeout),
      resolver_(executor_, settings_.dns) {
  tls_context_.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                           net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                           net::ssl::context::no_tlsv1_1);
  tls_context_.set_default_verify_paths();
  if (!settings_.tls_ca_file.empty()) tls_context_.load_verify_file(settings_.tls_ca_file);
  tls_context_.set_verify_mode(net::ssl::verify_peer);
}

HttpClient::~HttpClient() = default;

void HttpClient::Close() {
  pool_.Clear();
  resolver_.Close();
}

Result<void> HttpClient::CheckAddress(const net::ip::address& address) {
  auto checked = policy_.Check(address);
  if (!checked && observer_ != nullptr) observer_->OnRefused(Classify(address));
  return checked;
}

net::awaitable<Result<std::unique_ptr<Connection>>> HttpClient::Connect(const Target& target,
                                                                       SteadyTime deadline) {
  // Resolve ourselves so every address is checked before any packet is sent to it. A literal
  // is parsed here with inet_aton's rules, never handed to the resolver to interpret.
  std::vector<tcp::endpoint> endpoints;
  if (auto literal = ParseHostLiteral(target.host)) {
    endpoints.emplace_back(*literal, target.port);
  } else {
    auto resolved = co_await resolver_.Resolve(target.host, deadline);
    if (!resolved) co_return tl::unexpected(resolved.error());
    for (const auto& address : *resolved) endpoints.emplace_back(address, target.port);
  }
  std::vector<tcp::endpoint> allowed;
  Error refusal;
  for (const auto& endpoint : endpoints) {
    if (auto checked = CheckAddress(endpoint.address()); checked) {
      allowed.push_back(endpoint);
    } else {
      refusal = checked.error();
    }
  }
  if (allowed.empty()) {
    if (endpoints.empty()) co_return Failure("dns", fmt::format("{} has no address", target.host));
    co_return tl::unexpected(refusal);
  }

  beast::error_code last_error;
  for (const auto& endpoint : allowed) {
    auto connection = std::make_unique<Connection>(executor_, target.tls ? &tls_context_ : nullptr);
    auto& lowest = connection->Lowest();
    Arm(lowest, settings_.connect_timeout, deadline);
    auto [ec] = co_await lowest.async_connect(endpoint, kAwait);
    if (ec) {
      last_error = ec;
      if (std::chrono::steady_clock::now() >= deadline) break;
      continue;
    }
    // The peer we really reached is checked too (DESIGN §8), not just what we asked for.
    beast::error_code peer_ec;
    const auto peer = lowest.socket().remote_endpoint(peer_ec);
    if (peer_ec) {
      last_error = peer_ec;
      continue;
    }
    if (auto checked = CheckAddress(peer.address()); !checked) {
      co_return tl::unexpected(checked.error());
    }
    connection->peer = peer.address();
    connection->origin = target.Origin();
    // Lets a plain connection's request be sent without waiting (SendNow); Asio's own
    // asynchronous operations work the same either way.
    beast::error_code stays_blocking;  // then SendNow leaves the socket to the timed write
    if (!connection->tls) lowest.socket().non_blocking(true, stays_blocking);
    if (connection->tls) {
      SSL* ssl = connection->tls->native_handle();
      const bool is_ip = ParseHostLiteral(target.host).has_value();
      // SNI only for names (RFC 6066 forbids literals); the certificate must name the host.
      // (SSL_set_tlsext_host_name is a macro with a C cast; this is the call it makes.)
      if (!is_ip) {
        SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(target.host.c_str()));  // NOLINT: OpenSSL's C API
      }
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      const int named = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, target.host.c_str())
                              : X509_VERIFY_PARAM_set1_host(param, target.host.c_str(), 0);
      if (named != 1) co_return Failure("tls", "cannot set the host name to verify");
      Arm(lowest, settings_.connect_timeout, deadline);
      auto [hs_ec] =
          co_await connection->tls->async_handshake(net::ssl::stream_base::client, kAwait);
      if (hs_ec) {
        const long verify = SSL_get_verify_result(ssl);
        if (verify != X509_V_OK) {
          co_return Failure("tls", fmt::format("certificate of {} rejected: {}", target.host,
                                               X509_verify_cert_error_string(verify)));
        }
        if (hs_ec == beast::error::timeout) {
          co_return FromErrorCode(hs_ec, "TLS handshake", deadline);
        }
        co_return Failure("tls", fmt::format("TLS handshake with {} failed: {}", target.host,
                                             hs_ec.message()));
      }
    }
    co_return connection;
  }
  if (last_error == beast::error::timeout) co_return FromErrorCode(last_error, "connect", deadline);
  co_return Failure("connect", fmt::format("cannot connect to {}:{}: {}", target.host, target.port,
                                           last_error.message()));
}

namespace {

// Sends what the kernel takes at once on a plain connection whose socket is non-blocking (see
// Connect): a request is a few hundred bytes on an idle connection, so nearly always all of it,
// with no timer armed and no suspension. TLS, and whatever is left, go through the timed write.
template <typename Stream>
std::size_t SendNow(Stream& stream, std::string_view bytes, beast::error_code& ec) {
  if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
    if (!stream.socket().non_blocking()) return 0;  // never block the io thread
    const auto sent = stream.socket().write_some(net::buffer(bytes.data(), bytes.size()), ec);
    if (ec == net::error::would_block || ec == net::error::try_again) ec = {};
    return ec ? 0 : sent;
  } else {
    return 0;
  }
}

// One request/response on an open connection. `received` tells the caller whether any byte of
// a response arrived (a reused connection the server closed meanwhile gets one more try).
template <typename Stream>
net::awaitable<Result<HttpResponse>> RoundTrip(Stream& stream, Connection& connection,
                                               const std::string& request,
                                               const ClientSettings& settings,
                                               std::size_t max_body, SteadyTime deadline,
                                               bool* received, bool* reusable) {
  auto& lowest = connection.Lowest();
  beast::error_code send_ec;
  const std::size_t sent = SendNow(stream, request, send_ec);
  if (send_ec) co_return FromErrorCode(send_ec, "sending the request", deadline);
  if (sent < request.size()) {
    Arm(lowest, settings.read_timeout, deadline);
    auto [write_ec, written] =
        co_await net::async_write(stream, net::buffer(request) + sent, kAwait);
    if (write_ec) co_return FromErrorCode(write_ec, "sending the request", deadline);
  }

  ResponseParser parser(settings.max_header_bytes, max_body);
  // Each read gets a fresh read timeout (capped by the deadline), so a trickling server
  // (slowloris) is cut off by the total deadline and a silent one by the read timeout.
  while (!parser.is_done()) {
    Arm(lowest, settings.read_timeout, deadline);
    auto [ec, n] = co_await http::async_read_some(stream, connection.buffer, parser, kAwait);
    if (n > 0) *received = true;
    if (ec) {
      co_return FromErrorCode(ec, parser.is_header_done() ? "reading the body"
                                                          : "waiting for the response",
                              deadline);
    }
  }
  auto response = parser.Release();
  // Reuse only a connection the server keeps open and that holds no stray bytes (a lying
  // Content-Length leaves some behind: they would be read as the next response).
  *reusable = response.keep_alive && connection.buffer.size() == 0;
  co_return response;
}

}  // namespace

net::awaitable<Result<HttpResponse>> HttpClient::Exchange(const Target& target,
                                                          const FetchSpec& spec, bool conditional,
                                                          std::size_t max_body,
                                                          SteadyTime deadline) {
  RequestHeaders headers;
  headers.user_agent = settings_.user_agent;
  if (conditional) {
    headers.if_none_match = spec.etag;
    headers.if_modified_since = spec.last_modified;
  }
  const std::string request = WriteRequest(target, headers);

  auto connection = pool_.Take(target.Origin());
  bool reused = connection != nullptr;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!connection) {
      auto connected = co_await Connect(target, deadline);
      if (!connected) co_return tl::unexpected(connected.error());
      connection = std::move(*connected);
      reused = false;
    }
    bool received = false;
    bool reusable = false;
    // Two statements, not a conditional expression: GCC 12 destroys the temporaries of a
    // `c ? co_await a : co_await b` twice (a crash the first version of this code hit).
    Result<HttpResponse> response = Failure("network", "not sent");
    if (connection->tls) {
      response = co_await RoundTrip(*connection->tls, *connection, request, settings_, max_body,
                                    deadline, &received, &reusable);
    } else {
      response = co_await RoundTrip(connection->tcp, *connection, request, settings_, max_body,
                                    deadline, &received, &reusable);
    }
    if (!response) {
      connection.reset();
      // A kept-alive connection the server closed while idle: one fresh try, then it counts.
      if (reused && !received && std::chrono::steady_clock::now() < deadline) continue;
      co_return tl::unexpected(response.error());
    }
    if (reusable) pool_.Give(std::move(connection));
    co_return std::move(*response);
  }
  co_return Failure("connection_closed", "the server closed the connection twice");
}

net::awaitable<FetchResponse> HttpClient::Fetch(FetchSpec spec) {
  // Waiting for the host's turn is politeness, not the fetch being slow: it has a bound of its
  // own (a host with a long queue must not turn its backlog into timeouts), and the total
  // deadline and the latency run from the first request's turn on.
  auto started = std::chrono::steady_clock::now();
  auto deadline = started + settings_.total_timeout;
  const auto turn_deadline = started + std::max(settings_.max_politeness_wait,
                                                settings_.total_timeout);
  bool first_turn = true;
  const std::size_t max_body = spec.max_body_bytes > 0 ? spec.max_body_bytes
                                                       : settings_.max_body_bytes;
  FetchResponse out;
  auto finish = [&](std::string error_class, std::string message) {
    out.error_class = std::move(error_class);
    out.error = std::move(message);
    out.outcome = OutcomeForErrorClass(out.error_class);
    out.latency = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    return std::move(out);
  };

  std::string url = spec.url;
  std::set<std::string> visited;
  while (true) {
    auto target = ParseTarget(url);
    if (!target) co_return finish(target.error().error_class, target.error().message);
    out.final_url = target->url;
    if (!visited.insert(target->url).second) {
      co_return finish("redirect_loop", fmt::format("redirect loop: {} was already visited",
                                                    target->url));
    }
    if (spec.before_each_request) {
      auto allowed = co_await spec.before_each_request(*target);
      if (!allowed) co_return finish(allowed.error().error_class, allowed.error().message);
    }
    // Each hop is gated by its own host: a redirect to another site is that site's request.
    const auto host_key = codec::PolitenessKey(target->url, settings_.politeness_scope);
    HostGate::Permit permit;
    if (gate_ != nullptr) {
      auto acquired = co_await gate_->Acquire(host_key, first_turn ? turn_deadline : deadline);
      if (!acquired) co_return finish(acquired.error().error_class, acquired.error().message);
      permit = std::move(*acquired);
    }
    if (first_turn) {
      first_turn = false;
      started = std::chrono::steady_clock::now();
      deadline = started + settings_.total_timeout;
    }
    const auto hop_started = std::chrono::steady_clock::now();
    auto hop = co_await Exchange(*target, spec, out.redirects == 0, max_body, deadline);
    if (!hop) {
      if (gate_ != nullptr) gate_->Report(host_key, {.failure = IsHostFailure(hop.error())});
      co_return finish(hop.error().error_class, hop.error().message);
    }
    auto& response = *hop;
    out.status = response.status;
    if (!response.retry_after.empty()) {
      out.retry_after =
          tributary::http::ParseRetryAfter(response.retry_after, std::chrono::system_clock::now());
    } else {
      out.retry_after.reset();
    }
    if (gate_ != nullptr) {
      gate_->Report(
          host_key,
          {.failure = out.status >= 500 || out.status == 429,
           .status = static_cast<int>(out.status),
           .retry_after =
               (out.status == 429 || out.status == 503) ? out.retry_after : std::nullopt,
           .latency = std::chrono::steady_clock::now() - hop_started});
    }
    permit = HostGate::Permit();  // the hop is over: let the host's next request in

    if (IsRedirect(out.status)) {
      const auto& location = response.location;
      if (location.empty()) {
        co_return finish("redirect", fmt::format("HTTP {} without a Location", out.status));
      }
      if (out.redirects >= settings_.max_redirects) {
        co_return finish("too_many_redirects", fmt::format("more than {} redirects",
                                                           settings_.max_redirects));
      }
      auto next = ResolveRedirect(target->url, location);
      if (!next) co_return finish(next.error().error_class, next.error().message);
      url = std::move(*next);
      ++out.redirects;
      continue;
    }

    out.content_type = std::move(response.content_type);
    out.etag = std::move(response.etag);
    out.last_modified = std::move(response.last_modified);
    out.max_age =
        tributary::http::ParseMaxAge(response.cache_control, response.expires, response.date);
    out.wire_bytes = static_cast<std::int64_t>(response.body.size());
    if (out.status == 304) co_return finish("", "");
    if (out.status < 200 || out.status >= 300) {
      co_return finish(out.status >= 500 ? "http_5xx" : "http_4xx",
                       fmt::format("HTTP {} {}", out.status, response.reason));
    }
    const auto coding = ParseContentEncoding(response.content_encoding);
    if (coding == ContentCoding::kIdentity) {
      out.body = std::move(response.body);  // the parser's body limit already applied
      co_return finish("", "");
    }
    auto decoded = Decompress(coding, response.body, max_body);
    if (!decoded) co_return finish(decoded.error().error_class, decoded.error().message);
    out.body = std::move(*decoded);
    co_return finish("", "");
  }
}

}  // namespace tributary::fetcher
