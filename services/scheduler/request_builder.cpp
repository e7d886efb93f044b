#include "services/scheduler/request_builder.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <random>

#include "common/base/traceparent.hpp"
#include "common/base/url_credentials.hpp"
#include "common/codec/codec.hpp"
#include "common/codec/topics.hpp"

namespace tributary::scheduler {
namespace {

std::string RandomHex(std::size_t bytes) {
  thread_local std::mt19937_64 engine(std::random_device{}());
  std::string out;
  out.reserve(bytes * 2);
  while (out.size() < bytes * 2) out += fmt::format("{:016x}", engine());
  out.resize(bytes * 2);
  return out;
}

}  // namespace

v1::SourceKind KindFromText(const std::string& kind) {
  if (kind == "rss") return v1::SOURCE_KIND_RSS;
  if (kind == "atom") return v1::SOURCE_KIND_ATOM;
  if (kind == "jsonfeed") return v1::SOURCE_KIND_JSONFEED;
  if (kind == "sitemap") return v1::SOURCE_KIND_SITEMAP;
  if (kind == "json_api") return v1::SOURCE_KIND_JSON_API;
  if (kind == "page") return v1::SOURCE_KIND_PAGE;
  return v1::SOURCE_KIND_AUTO;
}

std::optional<v1::FullText> FullTextFromText(const std::string& mode) {
  if (mode == "auto") return v1::FULL_TEXT_AUTO;
  if (mode == "always") return v1::FULL_TEXT_ALWAYS;
  if (mode == "never") return v1::FULL_TEXT_NEVER;
  return std::nullopt;
}

v1::SourceOptions SourceOptionsFrom(const std::string& config_json,
                                    std::vector<std::string>* warnings) {
  v1::SourceOptions options;
  auto warn = [&](const std::string& what) {
    if (warnings != nullptr) warnings->push_back(what);
  };
  const auto config = nlohmann::json::parse(config_json, nullptr, false);
  if (config.is_discarded() || !config.is_object()) {
    if (!config_json.empty() && config_json != "{}") warn("config is not an object");
    return options;
  }
  for (const auto& [key, value] : config.items()) {
    if (key == "json_mapping") {
      if (!value.is_object()) {
        warn("config.json_mapping is not an object");
        continue;
      }
      for (const auto& [field, pointer] : value.items()) {
        if (pointer.is_string()) {
          (*options.mutable_json_mapping())[field] = pointer.get<std::string>();
        } else {
          warn(fmt::format("config.json_mapping.{} is not a string", field));
        }
      }
    } else if (key == "fetch_pages" || key == "respect_robots" || key == "robots") {
      if (!value.is_boolean()) {
        warn(fmt::format("config.{} is not a boolean", key));
      } else if (key == "fetch_pages") {
        options.set_fetch_pages(value.get<bool>());
      } else {
        options.set_respect_robots(value.get<bool>());
      }
    } else if (key == "max_depth" || key == "full_text_min_words") {
      if (!value.is_number_unsigned() || value.get<std::uint64_t>() > UINT32_MAX) {
        warn(fmt::format("config.{} is not a non-negative integer", key));
      } else if (key == "max_depth") {
        options.set_max_depth(static_cast<std::uint32_t>(value.get<std::uint64_t>()));
      } else {
        options.set_full_text_min_words(static_cast<std::uint32_t>(value.get<std::uint64_t>()));
      }
    } else if (key == "full_text") {
      const auto mode = FullTextFromText(value.is_string() ? value.get<std::string>() : "");
      if (!mode) {
        warn("config.full_text is not one of auto, always, never");
      } else {
        options.set_full_text(*mode);
      }
    }
    // Other keys belong to other stages or to people (notes); they are not an error.
  }
  return options;
}

v1::FetchRequest BuildRequest(const DueSource& source, const std::string& request_id,
                              std::int64_t requested_at_unix, std::vector<std::string>* warnings) {
  v1::FetchRequest request;
  request.set_source_id(source.id);
  // A row added before passwords were redacted may still hold one: it never goes on a topic.
  request.set_url(RedactUrlPassword(source.url));
  request.set_kind(KindFromText(source.kind));
  request.set_etag(source.etag);
  request.set_last_modified(source.last_modified);
  request.set_depth(0);
  request.set_request_id(request_id);
  request.set_attempt(source.lease_expired ? 2 : 1);
  request.mutable_requested_at()->set_seconds(requested_at_unix);

  *request.mutable_options() = SourceOptionsFrom(source.config_json, warnings);
  return request;
}

kafka::Record RequestRecord(const std::string& topic, const v1::FetchRequest& request,
                            codec::PolitenessScope scope) {
  return {topic, codec::FetchRequestKey(request, scope), codec::Encode(request),
          {{std::string(codec::kContentTypeHeader), std::string(codec::kProtobufContentType)},
           {std::string(kafka::kTraceparentHeader), trace::NewTraceparent()}}};
}

std::string NewRequestId() { return RandomHex(16); }

}  // namespace tributary::scheduler
