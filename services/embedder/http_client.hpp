#pragma once
// A small blocking HTTP/1.1 client for the embedding backend (Boost.Beast): one keep-alive
// connection per instance, HTTPS verified against the system trust store (plus an optional CA
// file) with SNI and host-name checks, and one deadline for the whole exchange (connect, TLS,
// write, read). Each instance runs its own io_context on the calling thread, so a pool of them
// serves several worker threads without sharing anything.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

namespace tributary::embedder {

struct Endpoint {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target;  // path and query
};

// http(s)://host[:port]/path?query; an error text names what is wrong.
tl::expected<Endpoint, std::string> ParseEndpoint(const std::string& url);

struct HttpResponse {
  int status = 0;
  std::string body;
  std::string retry_after;     // Retry-After header, as sent
  std::string retry_after_ms;  // retry-after-ms (OpenAI's and Azure's finer-grained variant)
};

struct HttpFailure {
  bool timeout = false;  // the deadline passed (else: connection, TLS or protocol error)
  std::string message;
};

// The TLS context shared by every connection: verify the peer, TLS 1.2+.
std::shared_ptr<boost::asio::ssl::context> MakeTlsContext(const std::string& ca_file);

class HttpConnection {
 public:
  HttpConnection(Endpoint endpoint, std::shared_ptr<boost::asio::ssl::context> tls,
                 std::chrono::milliseconds timeout);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // POSTs `body`. A kept-alive connection the server closed meanwhile is replaced once,
  // transparently (an embeddings request has no side effects, so resending is safe).
  tl::expected<HttpResponse, HttpFailure> Post(
      const std::string& body, const std::vector<std::pair<std::string, std::string>>& headers);

 private:
  struct Stream;
  Endpoint endpoint_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::chrono::milliseconds timeout_;
  boost::asio::io_context io_;
  std::unique_ptr<Stream> stream_;
};

}  // namespace tributary::embedder
