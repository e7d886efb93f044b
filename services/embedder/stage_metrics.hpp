#pragma once
// The embedder stage's metrics (tributary_embedder_*).
#include "common/metrics/registry.hpp"

namespace tributary::embedder {

struct StageMetrics {
  explicit StageMetrics(metrics::Registry& registry);

  metrics::Counter& items_in;
  // origin: lru | pg | backend
  metrics::Family<metrics::Counter>& items_out;
  // layer: lru | pg; result: hit | miss; per passage
  metrics::Family<metrics::Counter>& cache_lookups;
  metrics::Counter& cache_errors;
  // status: 200, 429, 500, ..., timeout, connection, invalid_answer
  metrics::Family<metrics::Counter>& backend_requests;
  metrics::Histogram& backend_seconds;
  metrics::Histogram& batch_items;      // inputs per backend request
  metrics::Histogram& batch_tokens;     // approximate tokens per backend request
  metrics::Histogram& item_seconds;     // consumed → produced (acknowledged), per item
  metrics::Counter& tokens_sent;        // approximate, our estimate
  metrics::Counter& tokens_reported;    // as the backend's usage says
  metrics::Counter& truncated;
  metrics::Counter& chunks_dropped;     // passages past --max-chunks, not embedded
  metrics::Counter& reproduced;
  metrics::Gauge& paused;
  metrics::Gauge& quota_exhausted;
  metrics::Gauge& batches_in_flight;
};

}  // namespace tributary::embedder
