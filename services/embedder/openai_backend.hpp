#pragma once
// The `openai` backend: any OpenAI-compatible `POST /v1/embeddings` (OpenAI, Ollama, vLLM,
// text-embeddings-inference, LocalAI). Requests carry the model, the inputs and, when asked,
// `dimensions`; answers are matched to inputs by their `index`. HTTP outcomes are classified
// into BackendFailure kinds here (see Classify). The API key goes only into the Authorization
// header; it is never logged and never part of an error message.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "services/embedder/backend.hpp"
#include "services/embedder/http_client.hpp"

namespace tributary::embedder {

struct OpenAiSettings {
  std::string url = "https://api.openai.com/v1/embeddings";
  std::string model;
  std::uint32_t dims = 0;
  bool send_dimensions = false;  // only models that can shorten their vectors accept it
  std::string api_key;           // empty: no Authorization header (local servers)
  std::map<std::string, std::string> headers;
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  std::string ca_file;
};

// The JSON request body.
std::string BuildRequestBody(const std::string& model, const std::vector<std::string>& texts,
                             std::optional<std::uint32_t> dimensions);

// Turns one HTTP answer into vectors or a classified failure:
//   200 with one embedding per input → vectors (a malformed answer is fatal);
//   429 → quota when the error says insufficient_quota/quota/billing, else transient, with
//         Retry-After (seconds) or retry-after-ms honoured;
//   408, 409, 5xx → transient;   401, 403 → transient (a rotated key can fix it), class auth;
//   400, 413, 422 → rejected (the input);   404 and other 4xx → fatal (wrong URL or model).
EmbedResult ParseResponse(const HttpResponse& response, std::size_t inputs);

// retry-after-ms, else Retry-After as seconds (integer or decimal) or an HTTP date (from `now`,
// never negative); nullopt for garbage (the backoff decides then).
std::optional<std::chrono::milliseconds> ParseRetryAfter(
    const HttpResponse& response,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

class OpenAiBackend final : public Backend {
 public:
  // Throws std::invalid_argument for a bad URL.
  explicit OpenAiBackend(OpenAiSettings settings);
  ~OpenAiBackend() override;
  [[nodiscard]] EmbedResult Embed(const std::vector<std::string>& texts) override;

 private:
  std::unique_ptr<HttpConnection> Acquire();
  void Release(std::unique_ptr<HttpConnection> connection);

  OpenAiSettings settings_;
  Endpoint endpoint_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<HttpConnection>> idle_;  // kept-alive connections
};

}  // namespace tributary::embedder
