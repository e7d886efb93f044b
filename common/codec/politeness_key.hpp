#pragma once
// The unit per-host politeness is counted in, and so the key of every `fetch.requests` record:
// the URL's host, or its registrable domain under `--politeness-scope domain`. Every fetch of
// one host (one domain) lands on one partition, so one fetcher replica owns a host at a time
// and its limits hold for the whole fleet. The scheduler, the parser's child requests and
// `tributary enqueue` all key with FetchRequestKey.
#include <optional>
#include <string>
#include <string_view>

#include "common/config/spec.hpp"
#include "tributary/v1/fetch.pb.h"

namespace tributary::codec {

enum class PolitenessScope { kHost, kDomain };

// "host" or "domain".
std::optional<PolitenessScope> ParsePolitenessScope(std::string_view name);

// `url`'s host, lowercased, without userinfo, port or a final dot
// ("HTTPS://News.Example.com:8443/a" -> "news.example.com"); under kDomain its registrable
// domain by the Public Suffix List ("news.example.co.uk" -> "example.co.uk"). An IP address, a
// host that is itself a public suffix, or a single label stays whole. A URL without a host
// gives "".
std::string PolitenessKey(std::string_view url, PolitenessScope scope);

// The key of a fetch request's record: its URL's PolitenessKey, or the source id when the URL
// has no host (a malformed request then still lands in one place, where it fails visibly).
std::string FetchRequestKey(const v1::FetchRequest& request, PolitenessScope scope);

// Declares --politeness-scope (TRIBUTARY_POLITENESS_SCOPE) on a stage that keys or gates by it.
// It must be the same for every stage of a fleet.
void AddPolitenessScope(config::Spec& spec, std::string* scope);

}  // namespace tributary::codec
