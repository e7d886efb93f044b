#pragma once
// A due source's row -> the FetchRequest the fetcher gets. The source's `config` JSON becomes
// SourceOptions (it holds no credentials, so it may travel on the topic); a malformed option is
// skipped with a warning rather than holding the source back.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/codec/politeness_key.hpp"
#include "common/kafka/producer.hpp"
#include "tributary/v1/fetch.pb.h"

namespace tributary::scheduler {

struct DueSource {
  std::int64_t id = 0;
  std::string url;
  std::string kind;  // sources.kind: auto, rss, atom, jsonfeed, sitemap, json_api, page
  std::string etag;
  std::string last_modified;
  std::string config_json;
  bool lease_expired = false;  // the previous request got no outcome within the lease
};

v1::SourceKind KindFromText(const std::string& kind);
// "auto", "always" or "never" (the `full_text` source option); nullopt for anything else.
std::optional<v1::FullText> FullTextFromText(const std::string& mode);

// sources.config -> SourceOptions; `warnings` receives one line per option that cannot be used.
v1::SourceOptions SourceOptionsFrom(const std::string& config_json,
                                    std::vector<std::string>* warnings);

// `warnings` receives one line per option that could not be used.
v1::FetchRequest BuildRequest(const DueSource& source, const std::string& request_id,
                              std::int64_t requested_at_unix, std::vector<std::string>* warnings);

// The record that carries `request` on the requests topic: keyed by its host (or domain, see
// common/codec/politeness_key.hpp), binary protobuf, and a new trace (DESIGN §7: a trace starts
// where a fetch is asked for).
kafka::Record RequestRecord(const std::string& topic, const v1::FetchRequest& request,
                            codec::PolitenessScope scope);

// 32 random hex digits: unique per fetch, the natural key of fetch_log.
std::string NewRequestId();

}  // namespace tributary::scheduler
