#include "services/loader/loader_metrics.hpp"

namespace tributary::loader {

LoaderMetrics::LoaderMetrics(metrics::Registry& r)
    : items_inserted(r.AddCounter("tributary_loader_items_inserted_total",
                                  "Item rows inserted (first version of an item).")),
      items_updated(r.AddCounter("tributary_loader_items_updated_total",
                                 "Item rows replaced by a newer version with new content.")),
      items_unchanged(r.AddCounter(
          "tributary_loader_items_unchanged_total",
          "Items written as no-ops: same content hash, or older than the stored version.")),
      embeddings_written(r.AddCounter("tributary_loader_embeddings_written_total",
                                      "item_embeddings rows inserted or replaced.")),
      chunks_written(r.AddCounter("tributary_loader_chunks_written_total",
                                  "item_chunks rows (passages) inserted or replaced.")),
      chunks_deleted(r.AddCounter("tributary_loader_chunks_deleted_total",
                                  "item_chunks rows removed: past a new version's passages.")),
      fetch_log_written(r.AddCounter("tributary_loader_fetch_log_written_total",
                                     "fetch_log rows inserted or completed by a merge.")),
      sources_updated(r.AddCounter("tributary_loader_sources_updated_total",
                                   "sources rows whose outcome columns were updated.")),
      feeds_written(r.AddCounter("tributary_loader_feeds_written_total",
                                 "feeds rows inserted or rewritten with newer metadata.")),
      articles_merged(r.AddCounter("tributary_loader_articles_merged_total",
                                   "Article pages whose text was merged into their item.")),
      articles_failed(r.AddCounter("tributary_loader_articles_failed_total",
                                   "Items whose article fetch failed (the feed's text stays).")),
      retries(r.AddCounter("tributary_loader_retries_total",
                           "Transient PostgreSQL failures retried (deadlock, lost connection...).")),
      splits(r.AddCounter("tributary_loader_batch_splits_total",
                          "Batches split in two to isolate a record PostgreSQL rejects.")),
      dropped(r.AddCounter("tributary_loader_dropped_on_revoke_total",
                           "Buffered messages dropped because their partition was revoked.")),
      batch_size(r.AddHistogram("tributary_loader_batch_size", "Messages per written batch.",
                                metrics::SizeBuckets())),
      batch_seconds(r.AddHistogram("tributary_loader_batch_seconds",
                                   "Time to write and commit one batch.")) {}

}  // namespace tributary::loader
