#pragma once
// What one fetch came to: the HTTP client fills it, records.cpp turns it into the FetchedDocument
// and the SourceEvent. Failures are values here, not exceptions: every hostile server ends in one
// of these with an error class (DESIGN §4: a fetch error is an outcome).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "tributary/v1/source_event.pb.h"

namespace tributary::fetcher {

struct FetchResponse {
  v1::FetchOutcome outcome = v1::FETCH_OUTCOME_UNSPECIFIED;
  unsigned status = 0;     // the last HTTP status seen, 0 when none arrived
  std::string final_url;   // after redirects, without credentials
  std::string content_type;
  std::string etag;
  std::string last_modified;
  std::string body;        // decoded (after gzip/deflate); only kept for 200
  std::int64_t wire_bytes = 0;  // body bytes as received, before decoding
  int redirects = 0;
  std::chrono::milliseconds latency{0};
  std::optional<std::chrono::seconds> retry_after;
  std::optional<std::chrono::seconds> max_age;
  std::string error_class;  // empty on success; "dns", "tls", "timeout", "ssrf", ...
  std::string error;

  [[nodiscard]] bool ok() const { return error_class.empty(); }
};

// The outcome an error class belongs to (refusals, size limits, network trouble).
v1::FetchOutcome OutcomeForErrorClass(const std::string& error_class);

}  // namespace tributary::fetcher
