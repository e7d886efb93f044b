#pragma once
// The loader's ports: where batches are written, where poison goes, and who is told that a
// message's work is durable. The core depends only on these, so unit tests drive it with fakes
// and the app wires PostgreSQL and Kafka.
#include <cstddef>

#include "common/base/result.hpp"
#include "common/kafka/message.hpp"
#include "services/loader/batch.hpp"

namespace tributary::loader {

struct WriteStats {
  std::size_t items_inserted = 0;
  std::size_t items_updated = 0;
  std::size_t items_unchanged = 0;  // redelivered, or older than the stored version
  std::size_t embeddings_written = 0;
  std::size_t chunks_written = 0;  // passages inserted or replaced
  std::size_t chunks_deleted = 0;  // stored passages past an item's new count
  std::size_t fetch_log_written = 0;
  std::size_t sources_updated = 0;
  std::size_t feeds_written = 0;
  std::size_t articles_merged = 0;  // article pages merged into their items (issue 19)
  std::size_t articles_failed = 0;  // items whose article fetch failed
};

class Store {
 public:
  virtual ~Store() = default;
  // Writes the whole batch in one transaction. Transient failures are retried inside (until
  // shutdown, which returns a retryable error: nothing was committed); a permanent error means
  // some record in the batch can never be written.
  [[nodiscard]] virtual Result<WriteStats> Write(const Batch& batch) = 0;
};

}  // namespace tributary::loader
