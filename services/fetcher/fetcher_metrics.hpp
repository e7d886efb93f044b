#pragma once
// The fetcher's metrics (DESIGN §7): fetches by outcome and status class, failures by error
// class, bytes, latency, in-flight, per-host breaker states and SSRF refusals.
#include "common/metrics/registry.hpp"
#include "services/fetcher/http_client.hpp"

namespace tributary::fetcher {

class FetcherMetrics final : public ClientObserver {
 public:
  explicit FetcherMetrics(metrics::Registry& registry);

  void OnRefused(AddressClass cls) override;
  // One finished fetch.
  void Record(const FetchResponse& response);
  void SetBreakers(const std::map<BreakerState, int>& counts);

  metrics::Gauge& in_flight;
  metrics::Gauge& slowed_hosts;  // hosts the adaptive slow-down holds below their limit
  metrics::Counter& undecodable;
  metrics::Counter& redeliveries;

 private:
  metrics::Family<metrics::Counter>& fetches_;
  metrics::Family<metrics::Counter>& failures_;
  metrics::Counter& bytes_;
  metrics::Histogram& latency_;
  metrics::Family<metrics::Gauge>& breakers_;
  metrics::Family<metrics::Counter>& refusals_;
};

}  // namespace tributary::fetcher
