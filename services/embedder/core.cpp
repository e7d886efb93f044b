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
  auto prepared = PrepareText(*item, settings_.text);
  if (prepared.truncated) metrics_.truncated.Inc();
  input.text = std::move(prepared.text);
  input.tokens = prepared.tokens;
  input.cache_key = model_key_ + item->content_hash();
  input.message = std::move(message);
  input.item = std::move(*item);
  if (auto cached = lru_.Get(input.cache_key)) {
    metrics_.cache_lookups.Labels({"lru", "hit"}).Inc();
    Produce(input, *cached, Origin::kLru);
    return;
  }
  metrics_.cache_lookups.Labels({"lru", "miss"}).Inc();
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

void Core::LookupPg(std::vector<Input>& inputs, std::vector<std::optional<Vector>>& vectors,
                    std::vector<Origin>& origins) {
  const int model_id = ModelId();
  if (model_id <= 0) return;
  std::vector<std::string> hashes;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!vectors[i]) hashes.push_back(inputs[i].item.content_hash());
  }
  if (hashes.empty()) return;
  std::sort(hashes.begin(), hashes.end());
  hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
  auto found = store_->Lookup(model_id, hashes);
  if (!found) {
    // The cache is an optimisation: with PostgreSQL away the items still get embedded.
    metrics_.cache_errors.Inc();
    Log()->warn("PostgreSQL cache read failed ({}); embedding {} items with the backend",
                found.error().message, hashes.size());
    return;
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (vectors[i]) continue;
    const auto it = found->find(inputs[i].item.content_hash());
    if (it == found->end() || it->second.size() != settings_.model.dims) {
      metrics_.cache_lookups.Labels({"pg", "miss"}).Inc();
      continue;
    }
    metrics_.cache_lookups.Labels({"pg", "hit"}).Inc();
    vectors[i] = it->second;
    origins[i] = Origin::kPg;
    lru_.Put(inputs[i].cache_key, it->second);
  }
}

void Core::RunBatch(Batch<Input>& batch) {
  if (fatal()) return;
  auto& inputs = batch.items;
  std::vector<std::optional<Vector>> vectors(inputs.size());
  std::vector<Origin> origins(inputs.size(), Origin::kBackend);
  // A batch queued behind another with the same content may find it cached by now.
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (auto cached = lru_.Get(inputs[i].cache_key)) {
      vectors[i] = std::move(*cached);
      origins[i] = Origin::kLru;
    }
  }
  LookupPg(inputs, vectors, origins);
  if (fatal()) return;

  // One backend input per distinct key: an item repeated in a batch is embedded once.
  std::vector<std::string> texts;
  std::map<std::string, std::size_t> slot_of_key;
  std::vector<std::size_t> slot(inputs.size(), 0);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (vectors[i]) continue;
    auto [it, added] = slot_of_key.emplace(inputs[i].cache_key, texts.size());
    if (added) texts.push_back(inputs[i].text);
    slot[i] = it->second;
  }
  std::vector<std::optional<Vector>> embedded(texts.size());
  std::vector<std::string> rejected(texts.size());
  if (!texts.empty() && !EmbedRange(texts, 0, texts.size(), embedded, rejected)) {
    return;  // stopping or fatal: the batch is abandoned, its offsets never stored
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (vectors[i]) continue;
    if (auto& v = embedded[slot[i]]) {
      lru_.Put(inputs[i].cache_key, *v);
      vectors[i] = *v;
    }
  }
  // In input order: EmbeddedItems (or dead letters for inputs the backend refused).
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (vectors[i]) {
      Produce(inputs[i], *vectors[i], origins[i]);
    } else {
      dead_letterer_.DeadLetter(inputs[i].message,
                 Error{ErrorKind::kPermanent, "backend.rejected",
                       "the embedding backend rejected this input: " + rejected[slot[i]]});
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

void Core::Produce(const Input& input, const Vector& vector, Origin origin) {
  v1::EmbeddedItem embedded;
  *embedded.mutable_item() = input.item;
  embedded.set_model_id(std::max(0, model_id_.load()));
  embedded.set_model_name(settings_.model.name);
  embedded.set_model_version(settings_.model.version);
  embedded.set_dims(settings_.model.dims);
  embedded.set_distance(settings_.model.distance);
  embedded.mutable_vector()->Assign(vector.begin(), vector.end());
  embedded.set_from_cache(origin != Origin::kBackend);
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
