#include "services/embedder/openai_backend.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "common/base/ascii.hpp"
#include "common/http/header_values.hpp"

namespace tributary::embedder {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxMessageBytes = 500;

// The server's own words, from {"error": {"message", "type", "code"}} (OpenAI), {"error": "..."}
// (Ollama, TEI) or the raw body, cut to a readable size.
struct ErrorText {
  std::string message;
  std::string type_and_code;
};

ErrorText ReadError(const std::string& body) {
  ErrorText out;
  const auto parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_discarded() && parsed.is_object() && parsed.contains("error")) {
    const auto& error = parsed["error"];
    if (error.is_string()) {
      out.message = error.get<std::string>();
    } else if (error.is_object()) {
      if (error.contains("message") && error["message"].is_string()) {
        out.message = error["message"].get<std::string>();
      }
      for (const char* field : {"type", "code"}) {
        if (error.contains(field) && error[field].is_string()) {
          out.type_and_code += error[field].get<std::string>() + " ";
        }
      }
    }
  }
  if (out.message.empty()) out.message = body;
  if (out.message.size() > kMaxMessageBytes) out.message = out.message.substr(0, kMaxMessageBytes) + "…";
  return out;
}

tl::unexpected<BackendError> Failure(BackendFailure kind, std::string error_class,
                                     std::string message, int status = 0,
                                     std::optional<std::chrono::milliseconds> retry_after = {}) {
  return tl::unexpected(BackendError{.kind = kind,
                                     .error_class = std::move(error_class),
                                     .message = std::move(message),
                                     .status = status,
                                     .retry_after = retry_after});
}

EmbedResult ParseVectors(const std::string& body, std::size_t inputs) {
  const auto parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  auto malformed = [](const std::string& why) {
    return Failure(BackendFailure::kFatal, "backend.invalid_answer",
                   "the backend's answer is not an OpenAI embeddings response: " + why);
  };
  if (parsed.is_discarded() || !parsed.is_object()) return malformed("not a JSON object");
  if (!parsed.contains("data") || !parsed["data"].is_array()) return malformed("no data array");
  const auto& data = parsed["data"];
  if (data.size() != inputs) {
    return malformed(fmt::format("{} embeddings for {} inputs", data.size(), inputs));
  }
  Embeddings out;
  out.vectors.resize(inputs);
  std::vector<bool> seen(inputs, false);
  for (std::size_t n = 0; n < data.size(); ++n) {
    const auto& entry = data[n];
    if (!entry.is_object() || !entry.contains("embedding") || !entry["embedding"].is_array()) {
      return malformed("an entry without an embedding array (is encoding_format float?)");
    }
    // Servers answer in input order; `index` says so explicitly when present.
    std::size_t index = n;
    if (entry.contains("index")) {
      if (!entry["index"].is_number_unsigned() && !entry["index"].is_number_integer()) {
        return malformed("index is not a number");
      }
      const auto i = entry["index"].get<std::int64_t>();
      if (i < 0 || static_cast<std::size_t>(i) >= inputs) return malformed("index out of range");
      index = static_cast<std::size_t>(i);
    }
    if (seen[index]) return malformed(fmt::format("index {} twice", index));
    seen[index] = true;
    auto& vector = out.vectors[index];
    vector.reserve(entry["embedding"].size());
    for (const auto& x : entry["embedding"]) {
      if (!x.is_number()) return malformed("a vector value is not a number");
      vector.push_back(x.get<float>());
    }
  }
  if (parsed.contains("usage") && parsed["usage"].is_object()) {
    const auto& usage = parsed["usage"];
    for (const char* field : {"prompt_tokens", "total_tokens"}) {
      if (usage.contains(field) && usage[field].is_number_unsigned()) {
        out.tokens = usage[field].get<std::size_t>();
        break;
      }
    }
  }
  return out;
}

}  // namespace

std::string BuildRequestBody(const std::string& model, const std::vector<std::string>& texts,
                             std::optional<std::uint32_t> dimensions) {
  json body = {{"model", model}, {"input", texts}, {"encoding_format", "float"}};
  if (dimensions) body["dimensions"] = *dimensions;
  // Texts are valid UTF-8 from the parser; replace rather than throw if one is not.
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<std::chrono::milliseconds> ParseRetryAfter(
    const HttpResponse& response, std::chrono::system_clock::time_point now) {
  if (!response.retry_after_ms.empty()) {
    double ms = 0;
    const auto* begin = response.retry_after_ms.data();
    const auto [end, ec] = std::from_chars(begin, begin + response.retry_after_ms.size(), ms);
    if (ec == std::errc() && ms >= 0) return std::chrono::milliseconds(static_cast<std::int64_t>(ms));
  }
  if (!response.retry_after.empty()) {
    double seconds = 0;
    const auto* begin = response.retry_after.data();
    const auto* last = begin + response.retry_after.size();
    const auto [end, ec] = std::from_chars(begin, last, seconds);
    if (ec == std::errc() && end == last && seconds >= 0) {
      return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
    }
    if (const auto at = http::ParseHttpDate(response.retry_after)) {  // RFC 9110's other form
      return std::max(std::chrono::duration_cast<std::chrono::milliseconds>(*at - now),
                      std::chrono::milliseconds(0));
    }
  }
  return std::nullopt;
}

EmbedResult ParseResponse(const HttpResponse& response, std::size_t inputs) {
  const int status = response.status;
  if (status >= 200 && status < 300) return ParseVectors(response.body, inputs);
  const auto error = ReadError(response.body);
  const auto cls = fmt::format("backend.http_{}", status);
  const auto message = fmt::format("HTTP {}: {}", status, error.message);
  if (status == 429) {
    const auto text = AsciiLower(error.type_and_code + " " + error.message);
    if (text.find("insufficient_quota") != std::string::npos ||
        text.find("quota") != std::string::npos || text.find("billing") != std::string::npos) {
      return Failure(BackendFailure::kQuota, "backend.quota", message, status,
                     ParseRetryAfter(response));
    }
    return Failure(BackendFailure::kTransient, cls, message, status, ParseRetryAfter(response));
  }
  if (status == 408 || status == 409 || status >= 500) {
    return Failure(BackendFailure::kTransient, cls, message, status, ParseRetryAfter(response));
  }
  if (status == 401 || status == 403) {
    return Failure(BackendFailure::kTransient, "backend.auth",
                   message + " (check the API key; retrying in case it is being rotated)", status);
  }
  if (status == 400 || status == 413 || status == 422) {
    return Failure(BackendFailure::kRejected, cls, message, status);
  }
  return Failure(BackendFailure::kFatal, cls,
                 message + " (check --openai-url and --model)", status);
}

OpenAiBackend::OpenAiBackend(OpenAiSettings settings) : settings_(std::move(settings)) {
  auto endpoint = ParseEndpoint(settings_.url);
  if (!endpoint) throw std::invalid_argument("--openai-url: " + endpoint.error());
  endpoint_ = std::move(*endpoint);
  if (endpoint_.tls) tls_ = MakeTlsContext(settings_.ca_file);
  if (!settings_.api_key.empty()) {
    headers_.emplace_back("Authorization", "Bearer " + settings_.api_key);
  }
  for (const auto& [name, value] : settings_.headers) headers_.emplace_back(name, value);
}

OpenAiBackend::~OpenAiBackend() = default;

std::unique_ptr<HttpConnection> OpenAiBackend::Acquire() {
  {
    std::lock_guard lock(pool_mutex_);
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
  }
  return std::make_unique<HttpConnection>(endpoint_, tls_, settings_.timeout);
}

void OpenAiBackend::Release(std::unique_ptr<HttpConnection> connection) {
  std::lock_guard lock(pool_mutex_);
  idle_.push_back(std::move(connection));
}

EmbedResult OpenAiBackend::Embed(const std::vector<std::string>& texts) {
  const auto body = BuildRequestBody(
      settings_.model, texts,
      settings_.send_dimensions ? std::optional<std::uint32_t>(settings_.dims) : std::nullopt);
  auto connection = Acquire();
  auto response = connection->Post(body, headers_);
  Release(std::move(connection));
  if (!response) {
    const auto& failure = response.error();
    return Failure(BackendFailure::kTransient,
                   failure.timeout ? "backend.timeout" : "backend.connection",
                   fmt::format("{} {}: {}", settings_.url, failure.timeout ? "timed out" : "failed",
                               failure.message));
  }
  return ParseResponse(*response, texts.size());
}

}  // namespace tributary::embedder
