#include "services/embedder/local_backend.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>

#include <fmt/format.h>

#include "common/digest/sha256.hpp"

namespace tributary::embedder {
namespace {

// Sequences per encoder call, and tokens: a batch is cut at whichever comes first, so long
// texts go a few at a time and short ones many.
constexpr std::size_t kBatchSequences = 32;
// Also what bounds a worker's scratch memory: ~11 KB of activations per padded token.
constexpr std::size_t kBatchTokens = 2048;

// SHA-256 of a file, in hex.
Result<std::string> FileSha256(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Fail(ErrorKind::kPermanent, "model", path + ": cannot be read");
  digest::Sha256 digest;
  std::vector<char> buffer(1 << 20);
  while (file) {
    file.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    digest.Add(std::string_view(buffer.data(), static_cast<std::size_t>(file.gcount())));
  }
  return digest::Hex(digest.Finish());
}

}  // namespace

// The jobs of one Embed call still running, and the first failure among them.
struct LocalBackend::Call {
  std::mutex mutex;
  std::condition_variable done;
  std::size_t remaining = 0;
  std::exception_ptr failure;
};

LocalBackend::LocalBackend(local::BertTokenizer tokenizer, local::BertEncoder encoder,
                           ModelSpec model, std::size_t max_tokens, std::size_t threads)
    : tokenizer_(std::move(tokenizer)),
      encoder_(std::move(encoder)),
      model_(std::move(model)),
      max_tokens_(max_tokens),
      threads_(threads) {
  for (std::size_t i = 0; i < threads_; ++i) workers_.emplace_back([this] { Work(); });
}

LocalBackend::~LocalBackend() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (auto& worker : workers_) worker.join();
}

void LocalBackend::Work() {
  local::BertEncoder::Scratch scratch;
  std::unique_lock lock(mutex_);
  while (true) {
    work_ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    if (stopping_) return;
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    std::exception_ptr failure;
    try {
      auto vectors = encoder_.Embed(job.sequences, scratch);
      for (std::size_t i = 0; i < vectors.size(); ++i) {
        (*job.vectors)[job.indexes[i]] = std::move(vectors[i]);
      }
    } catch (...) {
      failure = std::current_exception();
    }
    {
      const std::lock_guard call_lock(job.call->mutex);
      if (failure && !job.call->failure) job.call->failure = failure;
      if (--job.call->remaining == 0) job.call->done.notify_all();
    }
    lock.lock();
  }
}

Result<ModelSpec> LocalBackend::Describe(const std::string& model_dir) {
  auto folder = local::ModelFolder::Read(model_dir);
  if (!folder) return tl::unexpected(folder.error());
  auto weights_hash = FileSha256(folder->Path("model.safetensors"));
  if (!weights_hash) return tl::unexpected(weights_hash.error());
  auto name = std::filesystem::path(model_dir).lexically_normal();
  if (name.filename().empty()) name = name.parent_path();  // "…/all-MiniLM-L6-v2/"
  return ModelSpec{.name = name.filename().string(),
                   .version = weights_hash->substr(0, 16),
                   .dims = static_cast<std::uint32_t>(folder->hidden_size),
                   .distance = "cosine"};
}

Result<std::unique_ptr<LocalBackend>> LocalBackend::Load(const std::string& model_dir,
                                                         int threads,
                                                         local::Precision precision) {
  auto model = Describe(model_dir);
  if (!model) return tl::unexpected(model.error());
  return Load(model_dir, threads, precision, std::move(*model));
}

Result<std::unique_ptr<LocalBackend>> LocalBackend::Load(const std::string& model_dir,
                                                         int threads,
                                                         local::Precision precision,
                                                         ModelSpec model) {
  auto folder = local::ModelFolder::Read(model_dir);
  if (!folder) return tl::unexpected(folder.error());
  auto tokenizer = local::BertTokenizer::FromFile(folder->Path("tokenizer.json"));
  if (!tokenizer) return tl::unexpected(tokenizer.error());
  auto encoder = local::BertEncoder::Load(*folder, precision);
  if (!encoder) return tl::unexpected(encoder.error());
  return std::unique_ptr<LocalBackend>(
      new LocalBackend(std::move(*tokenizer), std::move(*encoder), std::move(model),
                       static_cast<std::size_t>(folder->max_seq_length),
                       static_cast<std::size_t>(std::max(1, threads))));
}

std::size_t LocalBackend::CountTokens(std::string_view text) const {
  constexpr std::size_t kUncut = std::numeric_limits<std::size_t>::max();
  constexpr std::size_t kSpecialTokens = 2;
  return tokenizer_.Encode(text, kUncut).ids.size() - kSpecialTokens;
}

EmbedResult LocalBackend::Embed(const std::vector<std::string>& texts) {
  std::vector<std::vector<std::int32_t>> sequences;
  sequences.reserve(texts.size());
  Embeddings out;
  for (const auto& text : texts) {
    auto encoding = tokenizer_.Encode(text, max_tokens_);
    if (encoding.truncated) ++out.truncated;
    out.tokens += encoding.ids.size();
    sequences.push_back(std::move(encoding.ids));
  }
  // Longest first, so each batch pads to about its own length.
  std::vector<std::size_t> order(texts.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return sequences[a].size() > sequences[b].size();
  });
  out.vectors.resize(texts.size());
  // Batches of similar length, at most 1/threads of the texts each so every worker gets one.
  const std::size_t per_batch = std::clamp<std::size_t>(
      (texts.size() + threads_ - 1) / threads_, 1, kBatchSequences);
  std::vector<Job> batches;
  for (const auto index : order) {
    if (!batches.empty()) {
      auto& batch = batches.back();
      const auto padded = (batch.sequences.size() + 1) * batch.sequences.front().size();
      if (batch.sequences.size() < per_batch && padded <= kBatchTokens) {
        batch.sequences.push_back(std::move(sequences[index]));
        batch.indexes.push_back(index);
        continue;
      }
    }
    batches.emplace_back();
    batches.back().sequences.push_back(std::move(sequences[index]));
    batches.back().indexes.push_back(index);
  }
  Call call;
  call.remaining = batches.size();
  {
    const std::lock_guard lock(mutex_);
    for (auto& batch : batches) {
      batch.vectors = &out.vectors;
      batch.call = &call;
      jobs_.push_back(std::move(batch));
    }
  }
  work_ready_.notify_all();
  std::unique_lock lock(call.mutex);
  call.done.wait(lock, [&] { return call.remaining == 0; });
  if (call.failure) std::rethrow_exception(call.failure);
  return out;
}

}  // namespace tributary::embedder
