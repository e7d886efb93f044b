#pragma once
// The embedder stage's logic. One consumed `items` message in, one EmbeddedItem out (or a dead
// letter), the offset stored only after the EmbeddedItem is acknowledged by the broker.
//
//   Add (poll thread): decode ─(poison)─> dlq.embedder, then Complete
//        │ passages (passages.hpp): key of each = (model, content_hash)
//        ├─ LRU hit for every passage ───────────────────────────┐
//        └─> Batcher (count / approx. tokens / linger) ─> queue   │
//   worker (×concurrency): LRU again → one batched read of        │
//        item_embeddings/_chunks → the backend for the rest (via  │
//        the shared BackendGate; rejected inputs isolated by      │
//        halving) → dims checked                                  │
//        └─> produce in input order ─────────────────────────────┤
//   runtime::Outbox: acknowledged ─> Complete(message)     <──────┘
//                    failed ─> produced again by Tick on the poll thread
//
// Batches finish out of order; the consumer stores only the contiguous completed prefix of each
// partition, so at-least-once holds. Two versions of one item in different batches may be
// produced out of order; the loader's observed_at guard keeps the newer one.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/base/clock.hpp"
#include "common/kafka/message.hpp"
#include "services/embedder/backend.hpp"
#include "services/embedder/backend_gate.hpp"
#include "services/embedder/batcher.hpp"
#include "services/embedder/lru_cache.hpp"
#include "services/embedder/model_spec.hpp"
#include "services/embedder/passages.hpp"
#include "common/runtime/dead_letterer.hpp"
#include "common/runtime/outbox.hpp"
#include "services/embedder/vector_store.hpp"
#include "services/embedder/stage_metrics.hpp"
#include "services/embedder/text.hpp"
#include "tributary/v1/item.pb.h"

namespace tributary::embedder {

struct CoreSettings {
  std::string output_topic;
  ModelSpec model;
  TextLimits text;
  ChunkSettings chunks;
  BatchLimits batch;
  // Batches embedded at once (worker threads). 0 runs each batch on the thread that closed it
  // (Add or Tick): deterministic, for tests.
  int concurrency = 4;
  std::size_t lru_entries = 50'000;
  RetrySettings retry;
  // How often to look for the model in embedding_models while it is not registered yet (the
  // loader registers it with the first vector it writes).
  std::chrono::milliseconds model_refresh{std::chrono::seconds(10)};
  std::chrono::milliseconds delivery_retry_delay{std::chrono::seconds(1)};
};

class Core {
 public:
  // Waits up to the duration; false when the stage is stopping (the caller gives up).
  using Waiter = std::function<bool(std::chrono::milliseconds)>;

  // `store` may be null: no PostgreSQL cache layer.
  Core(CoreSettings settings, Backend& backend, VectorStore* store, runtime::RecordSink& sink,
       runtime::DeadLetters& dead_letters, runtime::Completions& completions,
       StageMetrics& metrics, const Clock& clock, Waiter waiter = {});
  ~Core();
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;

  // Checks the configured model against embedding_models (if registered): a dimension
  // mismatch is an error that must stop the stage before it consumes anything.
  [[nodiscard]] Result<void> VerifyModel();

  void Start();  // starts the workers
  void Stop();   // stops them; unfinished batches are abandoned (their offsets never stored)

  // Poll thread: one consumed message.
  void Add(kafka::Message message);
  // Poll thread, between polls: closes a lingering batch, re-produces failed deliveries.
  // Returns false once the stage must stop (see fatal()).
  bool Tick();
  // Poll thread: forget buffered inputs of partitions this consumer lost.
  void DropPartitions(const std::vector<kafka::TopicPartition>& partitions);

  // Why the stage must stop (a dimension mismatch, a malformed backend answer), if it must.
  [[nodiscard]] std::optional<std::string> fatal() const;
  [[nodiscard]] bool paused() const { return gate_.paused(); }

 private:
  struct Input {
    kafka::Message message;
    v1::Item item;
    std::vector<Passage> passages;   // at least one
    std::vector<std::string> keys;   // the LRU key of each passage
    std::size_t tokens = 0;          // of all passages
    Clock::TimePoint consumed_at;
    // The stored vector of this very version's merged article (LookupMergedArticles): the
    // item goes on with it, unembedded.
    std::optional<Vector> merged_article;
  };
  enum class Origin { kLru, kPg, kBackend };

  void Dispatch(Batch<Input> batch);
  void WorkerLoop();
  void RunBatch(Batch<Input>& batch);
  // Embeds texts[begin, end) into out; rejected inputs get a reason instead. False: stopping.
  bool EmbedRange(const std::vector<std::string>& texts, std::size_t begin, std::size_t end,
                  std::vector<std::optional<Vector>>& out, std::vector<std::string>& rejected);
  // One entry per passage of every input of a batch.
  struct Slot {
    std::size_t input = 0;
    std::size_t passage = 0;
    std::optional<Vector> vector;
    Origin origin = Origin::kBackend;
  };
  void LookupPg(const std::vector<Input>& inputs, std::vector<Slot>& slots);
  // Inputs that want their linked article (Item.article_wanted) and whose stored row already
  // holds this version with the article merged get `merged_article`, and their slots are
  // filled so that nothing of them is embedded.
  void LookupMergedArticles(std::vector<Input>& inputs, std::vector<Slot>& slots);
  int ModelId();  // 0: not registered (yet); negative: fatal mismatch
  // `vectors`: one per passage of the input, in order; `with_passages` false sends only the
  // first, as the item's vector, without passages (chunked = false).
  void Produce(const Input& input, const std::vector<Vector>& vectors, Origin origin,
               bool with_passages = true);
  void SetFatal(std::string reason);
  bool Wait(std::chrono::milliseconds delay);
  void UpdateGateMetrics();

  CoreSettings settings_;
  Backend& backend_;
  VectorStore* store_;
  StageMetrics& metrics_;
  const Clock& clock_;
  Waiter waiter_;
  std::string model_key_;
  LruCache lru_;
  BackendGate gate_;
  Batcher<Input> batcher_;

  std::mutex model_mutex_;
  std::atomic<int> model_id_{0};
  std::optional<Clock::TimePoint> model_checked_at_;

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Batch<Input>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;


  mutable std::mutex fatal_mutex_;
  std::optional<std::string> fatal_;
  std::atomic<bool> stop_requested_{false};
  std::mutex wait_mutex_;
  std::condition_variable wait_cv_;
  // Rate limit of the "backend failed" warning; workers race on it, so it is atomic.
  std::atomic<Clock::TimePoint::rep> last_failure_log_{0};
  // Last: their callbacks use the members above.
  runtime::DeadLetterer dead_letterer_;
  runtime::Outbox outbox_;
};

}  // namespace tributary::embedder
