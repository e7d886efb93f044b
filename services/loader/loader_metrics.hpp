#pragma once
// tributary_loader_* metrics, created once per registry.
#include "common/metrics/registry.hpp"

namespace tributary::loader {

struct LoaderMetrics {
  explicit LoaderMetrics(metrics::Registry& registry);

  metrics::Counter& items_inserted;
  metrics::Counter& items_updated;
  metrics::Counter& items_unchanged;
  metrics::Counter& embeddings_written;
  metrics::Counter& chunks_written;
  metrics::Counter& chunks_deleted;
  metrics::Counter& fetch_log_written;
  metrics::Counter& sources_updated;
  metrics::Counter& feeds_written;
  metrics::Counter& articles_merged;
  metrics::Counter& articles_failed;
  metrics::Counter& retries;               // batch writes retried (transient failures)
  metrics::Counter& splits;                // batches split to isolate a bad record
  metrics::Counter& dropped;               // buffered messages dropped on revocation
  metrics::Histogram& batch_size;
  metrics::Histogram& batch_seconds;
};

}  // namespace tributary::loader
