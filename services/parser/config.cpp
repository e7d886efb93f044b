#include "services/parser/config.hpp"

#include "common/codec/topics.hpp"

namespace tributary::parser {
std::string Config::DocumentsTopic() const {
  return kafka.TopicOr(documents_topic, topics::kDocuments);
}
std::string Config::ItemsTopic() const { return kafka.TopicOr(items_topic, topics::kItems); }
std::string Config::RequestsTopic() const {
  return kafka.TopicOr(requests_topic, topics::kFetchRequests);
}

codec::PolitenessScope Config::PolitenessScope() const {
  return codec::ParsePolitenessScope(politeness_scope).value_or(codec::PolitenessScope::kHost);
}
std::string Config::EventsTopic() const {
  return kafka.TopicOr(events_topic, topics::kSourceEvents);
}

Limits Config::ParserLimits() const {
  Limits limits;
  limits.max_items = static_cast<std::size_t>(max_items);
  limits.max_sitemap_urls = static_cast<std::size_t>(max_sitemap_urls);
  limits.max_content_bytes = static_cast<std::size_t>(max_content_bytes);
  limits.normalize_workers = static_cast<std::size_t>(normalize_threads);
  return limits;
}

config::Spec::Outcome Parse(const config::Source& source, Config* config, std::string* help) {
  config::Spec spec("tributary-parser",
                    "Reads fetched documents from <prefix>.documents, detects their format (RSS, "
                    "Atom, JSON Feed, sitemaps, pages, JSON APIs), and produces normalized items "
                    "to <prefix>.items, discovered fetches to <prefix>.fetch.requests and one "
                    "parse outcome per document to <prefix>.source.events. Offsets are stored "
                    "only after all of a document's records are acknowledged.");
  kafka::AddSettings(spec, &config->kafka);
  kafka::AddGroupInstanceId(spec, &config->group_instance_id);
  log::AddSettings(spec, &config->log);
  admin::AddSettings(spec, &config->admin);
  codec::AddPolitenessScope(spec, &config->politeness_scope);
  spec.String("group-id", &config->group_id, "Kafka consumer group.")
      .String("documents-topic", &config->documents_topic,
              "Topic to consume; default <prefix>.documents.")
      .String("items-topic", &config->items_topic, "Topic for items; default <prefix>.items.")
      .String("requests-topic", &config->requests_topic,
              "Topic for discovered fetch requests; default <prefix>.fetch.requests.")
      .String("events-topic", &config->events_topic,
              "Topic for parse outcomes; default <prefix>.source.events.")
      .Int("max-items", &config->max_items, 1, 1'000'000,
           "Items kept per feed document; the rest are cut with a warning.")
      .Int("max-sitemap-urls", &config->max_sitemap_urls, 1, 1'000'000,
           "URLs kept per sitemap (sitemaps.org: 50,000); the rest are cut with a warning.")
      .Int("max-content-bytes", &config->max_content_bytes, 1024, 64 * 1024 * 1024,
           "Longest content_text kept per item, in bytes (cut at a character boundary).")
      .Int("normalize-threads", &config->normalize_threads, 0, 64,
           "Threads besides the consumer's that normalize a document's items while it is read: "
           "a long feed is parsed in less time, using that many more cores.");
  const auto outcome = spec.Parse(source);
  if (help != nullptr) *help = spec.Help();
  return outcome;
}

}  // namespace tributary::parser
