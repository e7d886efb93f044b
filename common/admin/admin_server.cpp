#include "common/admin/admin_server.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/log/log.hpp"

namespace tributary::admin {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

void AddSettings(config::Spec& spec, Settings* settings) {
  spec.String("admin-address", &settings->address,
              "Address of the admin HTTP server (/healthz, /readyz, /metrics).")
      .Int("admin-port", &settings->port, 0, 65535, "Port of the admin HTTP server; 0 = any free.");
}

struct AdminServer::Impl {
  net::io_context io{1};
  tcp::acceptor acceptor{io};
};

namespace {

// Small, bounded reads: probes and scrapes send tiny requests, anything else is cut off.
constexpr std::size_t kMaxRequestBytes = 16 * 1024;
constexpr auto kIdleTimeout = std::chrono::seconds(30);

http::response<http::string_body> Respond(const AdminServer& server,
                                          const http::request<http::string_body>& request) {
  http::response<http::string_body> response;
  response.version(request.version());
  response.keep_alive(request.keep_alive());
  response.set(http::field::server, "tributary-admin");
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  const auto target = request.target();
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    response.result(http::status::method_not_allowed);
    response.body() = "only GET\n";
  } else if (target == "/healthz") {
    response.result(http::status::ok);
    response.body() = "ok\n";
  } else if (target == "/readyz") {
    const auto [ready, reason] = server.Readiness();
    response.result(ready ? http::status::ok : http::status::service_unavailable);
    response.body() = ready ? std::string("ready\n") : "not ready: " + reason + "\n";
  } else if (target == "/metrics") {
    response.result(http::status::ok);
    response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    response.body() = server.registry().Expose();
  } else {
    response.result(http::status::not_found);
    response.body() = "not found; try /healthz, /readyz or /metrics\n";
  }
  response.prepare_payload();
  return response;
}

// Coroutines are free functions taking their state by value: a lambda coroutine would keep
// referring to its closure, which dies before the coroutine does.
net::awaitable<void> Serve(tcp::socket socket, const AdminServer* server) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer(kMaxRequestBytes);
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kMaxRequestBytes);
    parser.header_limit(kMaxRequestBytes);
    stream.expires_after(kIdleTimeout);
    auto [read_ec, n] =
        co_await http::async_read(stream, buffer, parser, net::as_tuple(net::use_awaitable));
    if (read_ec) break;  // closed, timed out or malformed: nothing to answer
    auto response = Respond(*server, parser.get());
    const bool keep_alive = response.keep_alive();
    auto [write_ec, written] =
        co_await http::async_write(stream, response, net::as_tuple(net::use_awaitable));
    if (write_ec || !keep_alive) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

net::awaitable<void> Accept(tcp::acceptor& acceptor, const AdminServer* server) {
  for (;;) {
    auto [accept_ec, socket] = co_await acceptor.async_accept(net::as_tuple(net::use_awaitable));
    if (accept_ec == net::error::operation_aborted) co_return;
    if (accept_ec) continue;  // e.g. EMFILE: keep serving the connections we have
    net::co_spawn(acceptor.get_executor(), Serve(std::move(socket), server), net::detached);
  }
}

}  // namespace

AdminServer::AdminServer(Settings settings, metrics::Registry& registry)
    : settings_(std::move(settings)),
      registry_(registry),
      ready_gauge_(registry.AddGauge(
          "tributary_ready",
          "1 while /readyz answers ready (connected, partitions assigned), else 0.")),
      impl_(std::make_unique<Impl>()) {}

AdminServer::~AdminServer() { Stop(); }

void AdminServer::SetReady(bool ready, std::string reason) {
  std::lock_guard lock(ready_mutex_);
  ready_ = ready;
  not_ready_reason_ = std::move(reason);
  ready_gauge_.Set(ready ? 1 : 0);
}

std::pair<bool, std::string> AdminServer::Readiness() const {
  std::lock_guard lock(ready_mutex_);
  return {ready_, not_ready_reason_};
}

void AdminServer::Start() {
  beast::error_code ec;
  const auto address = net::ip::make_address(settings_.address, ec);
  if (ec) {
    throw std::runtime_error("admin server: --admin-address '" + settings_.address +
                             "' is not an IP address");
  }
  const tcp::endpoint endpoint(address, static_cast<std::uint16_t>(settings_.port));
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol());
  acceptor.set_option(net::socket_base::reuse_address(true));
  acceptor.bind(endpoint, ec);
  if (ec) {
    throw std::runtime_error("admin server: cannot listen on " + settings_.address + ":" +
                             std::to_string(settings_.port) + " (--admin-port): " + ec.message());
  }
  acceptor.listen();
  bound_port_ = acceptor.local_endpoint().port();

  net::co_spawn(impl_->io, Accept(impl_->acceptor, this), [](const std::exception_ptr& error) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        log::Get("admin")->error("admin server stopped: {}", e.what());
      }
    }
  });
  thread_ = std::thread([this] { impl_->io.run(); });
  log::Get("admin")->info("admin server listening on {}:{}", settings_.address, bound_port_.load());
}

void AdminServer::Stop() {
  if (!thread_.joinable()) return;
  net::post(impl_->io, [this] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
    impl_->io.stop();
  });
  thread_.join();
}

}  // namespace tributary::admin
