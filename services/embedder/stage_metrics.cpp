#include "services/embedder/stage_metrics.hpp"

namespace tributary::embedder {

StageMetrics::StageMetrics(metrics::Registry& registry)
    : items_in(registry.AddCounter("tributary_embedder_items_in_total",
                                   "Items consumed and decoded.")),
      items_out(registry.CounterFamily(
          "tributary_embedder_items_out_total",
          "EmbeddedItems produced and acknowledged, by where the vector came from.", {"origin"})),
      cache_lookups(registry.CounterFamily("tributary_embedder_cache_lookups_total",
                                           "Vector cache look-ups by layer and result.",
                                           {"layer", "result"})),
      cache_errors(registry.AddCounter(
          "tributary_embedder_cache_errors_total",
          "PostgreSQL cache reads that failed (the items went to the backend instead).")),
      backend_requests(registry.CounterFamily("tributary_embedder_backend_requests_total",
                                              "Requests to the embedding backend by status.",
                                              {"status"})),
      backend_seconds(registry.AddHistogram("tributary_embedder_backend_seconds",
                                            "Latency of one backend request.")),
      batch_items(registry.AddHistogram("tributary_embedder_batch_items",
                                        "Inputs per backend request.", metrics::SizeBuckets())),
      batch_tokens(registry.AddHistogram("tributary_embedder_batch_tokens",
                                         "Approximate tokens per backend request.",
                                         metrics::SizeBuckets())),
      item_seconds(registry.AddHistogram(
          "tributary_embedder_item_seconds",
          "Time from consuming an item to the acknowledgement of its EmbeddedItem.")),
      tokens_sent(registry.AddCounter("tributary_embedder_tokens_sent_total",
                                      "Tokens sent to the backend (our approximation).")),
      tokens_reported(registry.AddCounter("tributary_embedder_tokens_reported_total",
                                          "Tokens the backend reports as used.")),
      truncated(registry.AddCounter(
          "tributary_embedder_truncated_total",
          "Texts cut to the model's input limit: by the stage (bytes, estimated tokens) or by "
          "the backend (the local model's max_seq_length, in real tokens).")),
      chunks_dropped(registry.AddCounter(
          "tributary_embedder_chunks_dropped_total",
          "Passages of long items past --max-chunks: not embedded, so not searchable (raise "
          "--max-chunks or --chunk-tokens if this grows).")),
      reproduced(registry.AddCounter(
          "tributary_embedder_reproduced_total",
          "EmbeddedItems produced again after a failed delivery.")),
      paused(registry.AddGauge("tributary_embedder_paused",
                               "1 while the backend is failing and the stage is backing off.")),
      quota_exhausted(registry.AddGauge(
          "tributary_embedder_quota_exhausted",
          "1 while the backend reports an exhausted quota (someone must act).")),
      batches_in_flight(registry.AddGauge("tributary_embedder_batches_in_flight",
                                          "Batches queued or being embedded.")) {}

}  // namespace tributary::embedder
