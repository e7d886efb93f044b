#include "services/fetcher/fetcher_metrics.hpp"

namespace tributary::fetcher {
namespace {

std::string StatusClass(unsigned status) {
  if (status == 0) return "none";
  return std::to_string(status / 100) + "xx";
}

std::string OutcomeName(v1::FetchOutcome outcome) {
  switch (outcome) {
    case v1::FETCH_OUTCOME_OK: return "ok";
    case v1::FETCH_OUTCOME_NOT_MODIFIED: return "not_modified";
    case v1::FETCH_OUTCOME_HTTP_ERROR: return "http_error";
    case v1::FETCH_OUTCOME_NETWORK_ERROR: return "network_error";
    case v1::FETCH_OUTCOME_REFUSED: return "refused";
    case v1::FETCH_OUTCOME_TOO_LARGE: return "too_large";
    default: return "unknown";
  }
}

}  // namespace

FetcherMetrics::FetcherMetrics(metrics::Registry& registry)
    : in_flight(registry.AddGauge("tributary_fetcher_in_flight", "Fetches in progress.")),
      slowed_hosts(registry.AddGauge(
          "tributary_fetcher_slowed_hosts",
          "Hosts held below their rate limit by 429/503 answers or slow responses.")),
      undecodable(registry.AddCounter("tributary_fetcher_undecodable_total",
                                      "Request messages that could not be decoded (DLQ'd).")),
      redeliveries(registry.AddCounter(
          "tributary_fetcher_reproduced_total",
          "Fetch results produced again after a failed delivery.")),
      fetches_(registry.CounterFamily("tributary_fetcher_fetches_total",
                                      "Finished fetches by outcome and HTTP status class.",
                                      {"outcome", "status_class"})),
      failures_(registry.CounterFamily(
          "tributary_fetcher_failures_total",
          "Failed fetches by error class (dns, tls, timeout, robots, ssrf, http_5xx, ...: the "
          "SourceEvent's error_class).",
          {"error_class"})),
      bytes_(registry.AddCounter("tributary_fetcher_body_bytes_total",
                                 "Response body bytes received (before decompression).")),
      latency_(registry.AddHistogram("tributary_fetcher_fetch_seconds",
                                     "Time from start to outcome of one fetch, redirects "
                                     "included.")),
      breakers_(registry.GaugeFamily("tributary_fetcher_breakers",
                                     "Hosts whose circuit breaker is in each state.", {"state"})),
      refusals_(registry.CounterFamily("tributary_fetcher_ssrf_refusals_total",
                                       "Addresses the SSRF guard refused, by address class.",
                                       {"class"})) {}

void FetcherMetrics::OnRefused(AddressClass cls) {
  refusals_.Labels({std::string(ToString(cls))}).Inc();
}

void FetcherMetrics::Record(const FetchResponse& response) {
  auto outcome = response.outcome;
  if (response.ok() && response.status == 304) outcome = v1::FETCH_OUTCOME_NOT_MODIFIED;
  fetches_.Labels({OutcomeName(outcome), StatusClass(response.status)}).Inc();
  if (!response.ok()) failures_.Labels({response.error_class}).Inc();
  bytes_.Inc(static_cast<double>(response.wire_bytes));
  latency_.Observe(std::chrono::duration<double>(response.latency).count());
}

void FetcherMetrics::SetBreakers(const std::map<BreakerState, int>& counts) {
  for (const auto& [state, count] : counts) {
    breakers_.Labels({std::string(ToString(state))}).Set(count);
  }
}

}  // namespace tributary::fetcher
