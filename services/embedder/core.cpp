#include "services/embedder/core.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "common/base/shutdown.hpp"
#include "common/codec/codec.hpp"
#include "common/codec/topics.hpp"
#include "common/log/log.hpp"
#include "common/log/trace_scope.hpp"

namespace tributary::embedder {
namespace {

auto Log() { return log::Get("embedder"); }

constexpr std::size_t kContentHashBytes = 32;  // SHA-256, as the parser writes it
constexpr auto kFailureLogInterval = std::chrono::seconds(10);

const char* OriginLabel(int origin) {
  static constexpr const char* kLabels[] = {"lru", "pg", "backend"};
  return kLabels[origin];
}

std::string StatusLabel(const BackendError& error) {
  if (error.status > 0) return std::to_string(error.status);
  constexpr std::string_view kPrefix = "backend.";
  std::string_view label = error.error_class;
  if (label.starts_with(kPrefix)) label.remove_prefix(kPrefix.size());
  return std::string(label.empty() ? "error" : label);
}

}  // namespace

Core::Core(CoreSettings settings, Backend& backend, VectorStore* store,
           runtime::RecordSink& sink, runtime::DeadLetters& dead_letters,
           runtime::Completions& completions, StageMetrics& metrics, const Clock& clock,
           Waiter waiter)
    : settings_(std::move(settings)),
      backend_(backend),
      store_(store),
      metrics_(metrics),
      clock_(clock),
      waiter_(std::move(waiter)),
      model_key_(fmt::format("{}\x1f{}\x1f{}\x1f", settings_.model.name, settings_.model.version,
                             settings_.model.dims)),
      lru_(settings_.lru_entries),
      gate_(settings_.retry, clock),
      batcher_(settings_.batch),
      dead_letterer_(dead_letters, completions, [this](auto delay) { return Wait(delay); }),
      outbox_(sink, dead_letterer_, completions, clock,
              {.retry_delay = settings_.delivery_retry_delay,
               .reproduced = &metrics_.reproduced}) {}

Core::~Core() { Stop(); }

void Core::Start() {
  std::lock_guard lock(queue_mutex_);
  for (int i = 0; i < settings_.concurrency; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

void Core::Stop() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  stop_requested_ = true;
  queue_cv_.notify_all();
  wait_cv_.notify_all();
  for (auto& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
  workers_.clear();
}

Result<void> Core::VerifyModel() {
  if (ModelId() < 0) return Fail(ErrorKind::kPermanent, "model.mismatch", *fatal());
  return {};
}

int Core::ModelId() {
  if (const int id = model_id_.load(); id != 0) return id;
  if (store_ == nullptr) return 0;
  std::lock_guard lock(model_mutex_);
  if (const int id = model_id_.load(); id != 0) return id;
  const auto now = clock_.Now();
  if (model_checked_at_ && now - *model_checked_at_ < settings_.model_refresh) return 0;
  model_checked_at_ = now;
  const auto& model = settings_.model;
  auto found = store_->FindModel(model.name, model.version);
  if (!found) {
    Log()->warn("cannot read embedding_models ({}); the PostgreSQL cache is skipped for now",
                found.error().message);
    return 0;
  }
  if (!*found) return 0;
  const auto& registered = **found;
  // dims and distance of a registered model are immutable (0003): another one is a new model.
  std::string mismatch;
  if (registered.dims != static_cast<int>(model.dims)) {
    mismatch = fmt::format("{} dimensions, but this embedder is configured for {} (--dims); "
                           "refusing to write vectors of the wrong size",
                           registered.dims, model.dims);
  } else if (registered.distance != model.distance) {
    mismatch = fmt::format("distance {}, but this embedder is configured for {} (--distance); "
                           "a model's distance cannot change",
                           registered.distance, model.distance);
  }
  if (!mismatch.empty()) {
    SetFatal(fmt::format("model {}/{} is registered in embedding_models (id {}) with {}. "
                         "Register a new --model-version for it",
                         model.name, model.version, registered.id, mismatch));
    model_id_ = -1;
    return -1;
  }
  model_id_ = registered.id;
  Log()->info("model {}/{} is registered as id {} ({} dims)", model.name, model.version,
              registered.id, registered.dims);
  return registered.id;
}

void Core::Add(kafka::Message message) {
  const auto content_type = message.Header(codec::kContentTypeHeader).value_or("");
  auto item = codec::Decode<v1::Item>(message.value, content_type);
  if (!item) {
    dead_letterer_.DeadLetter(message, item.error());
    return;
  }
  if (item->content_hash().size() != kContentHashBytes) {
    dead_letterer_.DeadLetter(message, Error{ErrorKind::kPermanent, "invalid",
                              fmt::format("content_hash has {} bytes, expected 32 (SHA-256)",
                                          item->content_hash().size())});
    return;
  }
  metrics_.items_in.Inc();
  Input input;
  input.consumed_at = clock_.Now();
  auto passages = PassagesOf(*item, settings_.chunks, settings_.text,
                             [this](std::string_view text) { return backend_.CountTokens(text); });
  if (passages.truncated) metrics_.truncated.Inc();
  if (passages.dropped > 0) metrics_.chunks_dropped.Inc(static_cast<double>(passages.dropped));
  input.passages = std::move(passages.passages);
  for (const auto& passage : input.passages) {
    input.keys.push_back(model_key_ + passage.content_hash);
    input.tokens += passage.tokens;
  }
  input.message = std::move(message);
  input.item = std::move(*item);
  // Every passage in the LRU (an item seen again unchanged): no batch.
  std::vector<Vector> cached;
  for (const auto& key : input.keys) {
    auto vector = lru_.Get(key);
    metrics_.cache_lookups.Labels({"lru", vector ? "hit" : "miss"}).Inc();
    if (vector) cached.push_back(std::move(*vector));
  }
  if (cached.size() == input.keys.size()) {
    Produce(input, cached, Origin::kLru);
    return;
  }
  const auto tokens = input.tokens;
  for (auto& batch : batcher_.Add(std::move(input), tokens, clock_.Now())) {
    Dispatch(std::move(batch));
  }
}

bool Core::Tick() {
  if (auto batch = batcher_.FlushIfDue(clock_.Now())) Dispatch(std::move(*batch));
  outbox_.Tick();
  UpdateGateMetrics();
  return !fatal();
}

void Core::DropPartitions(const std::vector<kafka::TopicPartition>& partitions) {
  const auto dropped = batcher_.DropIf(
      [&](const Input& input) {
        return std::find(partitions.begin(), partitions.end(), input.message.Partition()) !=
               partitions.end();
      },
      [](const Input& input) { return input.tokens; });
  if (dropped > 0) Log()->info("dropped {} buffered items of revoked partitions", dropped);
}

std::optional<std::string> Core::fatal() const {
  std::lock_guard lock(fatal_mutex_);
  return fatal_;
}

void Core::SetFatal(std::string reason) {
  {
    std::lock_guard lock(fatal_mutex_);
    if (fatal_) return;
    fatal_ = reason;
  }
  Log()->critical("stopping: {}", reason);
  stop_requested_ = true;
  wait_cv_.notify_all();
}

void Core::Dispatch(Batch<Input> batch) {
  if (settings_.concurrency <= 0) {
    RunBatch(batch);
    return;
  }
  {
    std::lock_guard lock(queue_mutex_);
    queue_.push_back(std::move(batch));
    metrics_.batches_in_flight.Add(1);
  }
  queue_cv_.notify_one();
}

void Core::WorkerLoop() {
  for (;;) {
    Batch<Input> batch;
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      batch = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      RunBatch(batch);
    } catch (const std::exception& e) {
      // A thread entry (STYLE "Errors"): nothing here should throw, so stop rather than guess.
      SetFatal(fmt::format("embedding worker failed: {}", e.what()));
    }
    metrics_.batches_in_flight.Add(-1);
  }
}

bool Core::Wait(std::chrono::milliseconds delay) {
  if (waiter_) return waiter_(delay) && !stop_requested_;
  std::unique_lock lock(wait_mutex_);
  const auto until = std::chrono::steady_clock::now() + delay;
  // Short slices so a SIGTERM (which only sets a flag) is noticed promptly.
  while (!stop_requested_ && !Shutdown::Requested()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= until) return true;
    wait_cv_.wait_for(lock, std::min<std::chrono::steady_clock::duration>(
                                until - now, std::chrono::milliseconds(200)));
  }
  return false;
}

void Core::UpdateGateMetrics() {
  metrics_.paused.Set(gate_.paused() ? 1 : 0);
  metrics_.quota_exhausted.Set(gate_.quota_exhausted() ? 1 : 0);
}

void Core::LookupPg(const std::vector<Input>& inputs, std::vector<Slot>& slots) {
  const int model_id = ModelId();
  if (model_id <= 0) return;
  const auto hash_of = [&](const Slot& slot) -> const std::string& {
    return inputs[slot.input].passages[slot.passage].content_hash;
  };
  std::vector<std::string> hashes;
  for (const auto& slot : slots) {
    if (!slot.vector) hashes.push_back(hash_of(slot));
  }
  if (hashes.empty()) return;
  std::sort(hashes.begin(), hashes.end());
  hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
  auto found = store_->Lookup(model_id, hashes);
  if (!found) {
    // The cache is an optimisation: with PostgreSQL away the items still get embedded.
    metrics_.cache_errors.Inc();
    Log()->warn("PostgreSQL cache read failed ({}); embedding {} passages with the backend",
                found.error().message, hashes.size());
    return;
  }
  for (auto& slot : slots) {
    if (slot.vector) continue;
    const auto it = found->find(hash_of(slot));
    if (it == found->end() || it->second.size() != settings_.model.dims) {
      metrics_.cache_lookups.Labels({"pg", "miss"}).Inc();
      continue;
    }
    metrics_.cache_lookups.Labels({"pg", "hit"}).Inc();
    slot.vector = it->second;
    slot.origin = Origin::kPg;
    lru_.Put(inputs[slot.input].keys[slot.passage], it->second);
  }
}

void Core::LookupMergedArticles(std::vector<Input>& inputs, std::vector<Slot>& slots) {
  std::vector<std::size_t> asked;
  std::vector<ItemVersion> versions;
  std::vector<bool> complete(inputs.size(), true);
  for (const auto& slot : slots) {
    if (!slot.vector) complete[slot.input] = false;
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (complete[i] || !inputs[i].item.article_wanted()) continue;
    asked.push_back(i);
    versions.push_back({.source_id = inputs[i].item.source_id(),
                        .external_id = inputs[i].item.external_id(),
                        .content_hash = inputs[i].item.content_hash()});
  }
  if (versions.empty()) return;
  const int model_id = ModelId();
  if (model_id <= 0) return;
  auto found = store_->MergedArticleVectors(model_id, versions);
  if (!found) {
    metrics_.cache_errors.Inc();
    Log()->warn("PostgreSQL look-up of merged articles failed ({}); embedding {} items' feed "
                "text with the backend", found.error().message, versions.size());
    return;
  }
  for (std::size_t k = 0; k < asked.size(); ++k) {
    const auto it = found->find(k);
    const bool hit = it != found->end() && it->second.size() == settings_.model.dims;
    metrics_.cache_lookups.Labels({"article", hit ? "hit" : "miss"}).Inc();
    if (hit) inputs[asked[k]].merged_article = std::move(it->second);
  }
  for (auto& slot : slots) {
    const auto& merged = inputs[slot.input].merged_article;
    if (merged && !slot.vector) {
      slot.vector = *merged;
      slot.origin = Origin::kPg;
    }
  }
}

void Core::RunBatch(Batch<Input>& batch) {
  if (fatal()) return;
  auto& inputs = batch.items;
  // Every passage of every input, in order. A batch queued behind another with the same
  // content may find it cached by now.
  std::vector<Slot> slots;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    for (std::size_t p = 0; p < inputs[i].passages.size(); ++p) {
      Slot slot{.input = i, .passage = p};
      if (auto cached = lru_.Get(inputs[i].keys[p])) {
        slot.vector = std::move(*cached);
        slot.origin = Origin::kLru;
      }
      slots.push_back(std::move(slot));
    }
  }
  if (store_ != nullptr) LookupMergedArticles(inputs, slots);
  LookupPg(inputs, slots);
  if (fatal()) return;

  // One backend input per distinct key: a passage repeated in a batch is embedded once.
  std::vector<std::string> texts;
  std::map<std::string, std::size_t> text_of_key;
  std::vector<std::size_t> text_index(slots.size(), 0);
  for (std::size_t s = 0; s < slots.size(); ++s) {
    const auto& slot = slots[s];
    if (slot.vector) continue;
    const auto& input = inputs[slot.input];
    auto [it, added] = text_of_key.emplace(input.keys[slot.passage], texts.size());
    if (added) texts.push_back(input.passages[slot.passage].text);
    text_index[s] = it->second;
  }
  std::vector<std::optional<Vector>> embedded(texts.size());
  std::vector<std::string> rejected(texts.size());
  // Items of many passages make more texts than items: --batch-size still bounds a request.
  const std::size_t per_request = std::max<std::size_t>(1, settings_.batch.max_items);
  for (std::size_t begin = 0; begin < texts.size(); begin += per_request) {
    const auto end = std::min(begin + per_request, texts.size());
    if (!EmbedRange(texts, begin, end, embedded, rejected)) {
      return;  // stopping or fatal: the batch is abandoned, its offsets never stored
    }
  }
  for (std::size_t s = 0; s < slots.size(); ++s) {
    auto& slot = slots[s];
    if (slot.vector) continue;
    if (const auto& vector = embedded[text_index[s]]) {
      lru_.Put(inputs[slot.input].keys[slot.passage], *vector);
      slot.vector = *vector;
    }
  }
  // In input order: EmbeddedItems, or dead letters for inputs with a passage the backend
  // refused.
  std::size_t next = 0;
  for (const auto& input : inputs) {
    std::vector<Vector> vectors;
    Origin origin = Origin::kLru;
    std::string refusal;
    for (std::size_t p = 0; p < input.passages.size(); ++p, ++next) {
      auto& slot = slots[next];
      if (!slot.vector) {
        refusal = rejected[text_index[next]];
        continue;
      }
      vectors.push_back(std::move(*slot.vector));
      origin = std::max(origin, slot.origin);  // "backend" once any passage needed it
    }
    if (input.merged_article) {
      Produce(input, {*input.merged_article}, Origin::kPg, /*with_passages=*/false);
    } else if (vectors.size() == input.passages.size()) {
      Produce(input, vectors, origin);
    } else {
      dead_letterer_.DeadLetter(input.message,
                 Error{ErrorKind::kPermanent, "backend.rejected",
                       "the embedding backend rejected this input: " + refusal});
    }
  }
}

bool Core::EmbedRange(const std::vector<std::string>& texts, std::size_t begin, std::size_t end,
                      std::vector<std::optional<Vector>>& out,
                      std::vector<std::string>& rejected) {
  const std::vector<std::string> slice(texts.begin() + static_cast<std::ptrdiff_t>(begin),
                                       texts.begin() + static_cast<std::ptrdiff_t>(end));
  std::size_t tokens = 0;
  for (const auto& text : slice) tokens += EstimateTokens(text);
  for (;;) {
    if (stop_requested_ || fatal()) return false;
    if (const auto delay = gate_.Delay(); delay.count() > 0) {
      UpdateGateMetrics();
      if (!Wait(delay)) return false;
      continue;
    }
    const auto started = std::chrono::steady_clock::now();
    auto result = backend_.Embed(slice);
    metrics_.backend_seconds.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    metrics_.batch_items.Observe(static_cast<double>(slice.size()));
    metrics_.batch_tokens.Observe(static_cast<double>(tokens));
    metrics_.tokens_sent.Inc(static_cast<double>(tokens));
    if (result) {
      metrics_.backend_requests.Labels({"200"}).Inc();
      metrics_.tokens_reported.Inc(static_cast<double>(result->tokens));
      metrics_.truncated.Inc(static_cast<double>(result->truncated));
      if (result->vectors.size() != slice.size()) {
        SetFatal(fmt::format("the embedding backend answered {} vectors for {} inputs",
                             result->vectors.size(), slice.size()));
        return false;
      }
      for (const auto& v : result->vectors) {
        if (v.size() != settings_.model.dims) {
          SetFatal(fmt::format(
              "the embedding backend answered a vector of {} dimensions for model {}/{}, "
              "configured --dims is {}; refusing to write vectors of the wrong size",
              v.size(), settings_.model.name, settings_.model.version, settings_.model.dims));
          return false;
        }
      }
      if (gate_.paused()) Log()->info("the embedding backend answers again; resuming");
      gate_.OnSuccess();
      UpdateGateMetrics();
      for (std::size_t i = 0; i < slice.size(); ++i) out[begin + i] = std::move(result->vectors[i]);
      return true;
    }
    const auto& error = result.error();
    metrics_.backend_requests.Labels({StatusLabel(error)}).Inc();
    switch (error.kind) {
      case BackendFailure::kTransient:
      case BackendFailure::kQuota: {
        const auto delay = gate_.OnFailure(error);
        UpdateGateMetrics();
        const auto now = clock_.Now();
        if (error.kind == BackendFailure::kQuota) {
          // Loud on purpose: nothing gets embedded until someone raises the quota.
          Log()->error("EMBEDDING QUOTA EXHAUSTED: {}; consumption is paused, next probe in {} ms",
                       error.message, delay.count());
        } else if (const auto last = Clock::TimePoint(Clock::TimePoint::duration(last_failure_log_.load()));
                   gate_.failures() == 1 || now - last >= kFailureLogInterval) {
          last_failure_log_ = now.time_since_epoch().count();
          Log()->warn("the embedding backend failed ({}: {}); pausing, retry in {} ms "
                      "({} failures in a row); no offsets move meanwhile",
                      error.error_class, error.message, delay.count(), gate_.failures());
        }
        continue;
      }
      case BackendFailure::kRejected:
        if (slice.size() == 1) {
          rejected[begin] = error.message;
          return true;
        }
        {
          // Halve until the input the backend refuses stands alone; the rest are embedded.
          const auto middle = begin + slice.size() / 2;
          return EmbedRange(texts, begin, middle, out, rejected) &&
                 EmbedRange(texts, middle, end, out, rejected);
        }
      case BackendFailure::kFatal:
        SetFatal(fmt::format("the embedding backend: {}", error.message));
        return false;
    }
  }
}

void Core::Produce(const Input& input, const std::vector<Vector>& vectors, Origin origin,
                   bool with_passages) {
  v1::EmbeddedItem embedded;
  *embedded.mutable_item() = input.item;
  embedded.set_model_id(std::max(0, model_id_.load()));
  embedded.set_model_name(settings_.model.name);
  embedded.set_model_version(settings_.model.version);
  embedded.set_dims(settings_.model.dims);
  embedded.set_distance(settings_.model.distance);
  embedded.mutable_vector()->Assign(vectors.front().begin(), vectors.front().end());
  embedded.set_from_cache(origin != Origin::kBackend);
  embedded.set_chunked(with_passages);
  for (std::size_t p = 0; with_passages && p < input.passages.size(); ++p) {
    const auto& passage = input.passages[p];
    if (!passage.is_chunk) continue;
    auto* chunk = embedded.add_chunks();
    chunk->set_number(static_cast<std::uint32_t>(p));
    chunk->set_char_begin(passage.char_begin);
    chunk->set_char_end(passage.char_end);
    chunk->set_content_hash(passage.content_hash);
    chunk->mutable_vector()->Assign(vectors[p].begin(), vectors[p].end());
  }
  const auto consumed_at = input.consumed_at;
  std::vector<kafka::Record> records;
  records.push_back(
      {settings_.output_topic, topics::ItemKey(input.item), codec::Encode(embedded)});
  outbox_.Emit(input.message, std::move(records), [this, origin, consumed_at] {
    metrics_.items_out.Labels({OriginLabel(static_cast<int>(origin))}).Inc();
    metrics_.item_seconds.Observe(
        std::chrono::duration<double>(clock_.Now() - consumed_at).count());
  });
}

}  // namespace tributary::embedder
