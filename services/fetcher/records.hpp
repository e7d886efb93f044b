#pragma once
// The records one fetch produces (DESIGN §2-§3): a FetchedDocument for a 200, and always a
// SourceEvent carrying the FetchResult (304s and failures included).
#include <chrono>
#include <optional>

#include "services/fetcher/fetch_response.hpp"
#include "tributary/v1/fetch.pb.h"
#include "tributary/v1/source_event.pb.h"

namespace tributary::fetcher {

// Only a 200 carries a document worth parsing; 304 and every failure carry none.
[[nodiscard]] bool HasDocument(const FetchResponse& response);

// The document for a 200 (the body is moved out of `response`).
v1::FetchedDocument MakeDocument(const v1::FetchRequest& request, FetchResponse& response,
                                 std::chrono::system_clock::time_point fetched_at);

v1::SourceEvent MakeEvent(const v1::FetchRequest& request, const FetchResponse& response,
                          std::chrono::system_clock::time_point observed_at);

}  // namespace tributary::fetcher
