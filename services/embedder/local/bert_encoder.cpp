#include "services/embedder/local/bert_encoder.hpp"

#include <cblas.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "services/embedder/local/amx_bf16.hpp"
#include "services/embedder/local/kernels.hpp"
#include "services/embedder/local/safetensors.hpp"

// OpenBLAS's own (not in cblas.h).
extern "C" int blas_thread_shutdown_(void);
extern "C" void openblas_set_num_threads(int threads);

namespace tributary::embedder::local {
namespace {

// OpenBLAS (the pthread build) starts a thread per core as it loads, and they spin for ~0.1 s
// before they sleep: in a short command that links this library (`tributary parse`) that is a
// core taken from the work. The encoder calls BLAS one thread per batch from its own workers,
// so BLAS's threads are stopped as soon as this library initializes (BLAS runs each call on
// the calling thread from then on).
const bool kBlasThreadsStopped = [] {
  openblas_set_num_threads(1);
  blas_thread_shutdown_();
  return true;
}();

}  // namespace

Precision PrecisionNamed(std::string_view name) {
  if (name == "fp32") return Precision::kFp32;
  if (name == "bf16") return Precision::kBf16;
  return Precision::kAuto;
}

std::string_view PrecisionLabel(Precision precision) {
  return precision == Precision::kBf16 ? "bf16 (Intel AMX)" : "fp32 (OpenBLAS)";
}

BertEncoder::Linear BertEncoder::MakeLinear(std::vector<float> weight, int outputs,
                                            int inputs) const {
  Linear linear{.outputs = outputs, .inputs = inputs};
  if (precision_ == Precision::kBf16 && !weight.empty()) {
    linear.tiles = amx::PackWeights(weight.data(), outputs, inputs);
  } else {
    linear.weight = std::move(weight);
  }
  return linear;
}

void BertEncoder::Product(const float* in, int rows, const Linear& linear, float* out,
                          bool accumulate, Scratch& scratch) const {
  if (precision_ == Precision::kBf16) {
    amx::Multiply(in, rows, linear.inputs, linear.tiles, linear.outputs, out, accumulate,
                  scratch.staging);
    return;
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, linear.outputs, linear.inputs,
              1.0F, in, linear.inputs, linear.weight.data(), linear.inputs,
              accumulate ? 1.0F : 0.0F, out, linear.outputs);
}

Result<BertEncoder> BertEncoder::Load(const ModelFolder& folder, Precision precision) {
  const bool tiles_fit = amx::Fits(3 * folder.hidden_size, folder.hidden_size) &&
                         amx::Fits(folder.intermediate_size, folder.hidden_size) &&
                         amx::Fits(folder.hidden_size, folder.intermediate_size);
  if (precision == Precision::kBf16 && !amx::Available()) {
    return Fail(ErrorKind::kPermanent, "model",
                "bf16 needs a CPU with AMX-BF16 (Intel Sapphire Rapids or later) and Linux >= "
                "5.16; this one has none: use fp32");
  }
  if (precision == Precision::kBf16 && !tiles_fit) {
    return Fail(ErrorKind::kPermanent, "model",
                fmt::format("bf16 needs hidden and intermediate sizes that are multiples of 32; "
                            "this model has {} and {}: use fp32",
                            folder.hidden_size, folder.intermediate_size));
  }
  auto file = SafeTensors::Open(folder.Path("model.safetensors"));
  if (!file) return tl::unexpected(file.error());
  BertEncoder model;
  model.precision_ = precision == Precision::kFp32 || !amx::Available() || !tiles_fit
                         ? Precision::kFp32
                         : Precision::kBf16;
  model.hidden_ = folder.hidden_size;
  model.heads_ = folder.heads;
  model.intermediate_ = folder.intermediate_size;
  model.max_positions_ = folder.max_positions;
  model.vocab_ = folder.vocab_size;
  model.eps_ = folder.layer_norm_eps;
  model.pooling_ = folder.pooling;
  model.normalize_ = folder.normalize;
  const std::int64_t h = folder.hidden_size;
  const std::int64_t inter = folder.intermediate_size;
  // Exported from BertModel ("embeddings.…") or from a model around it ("bert.embeddings.…").
  const std::string prefix = file->Has("embeddings.word_embeddings.weight") ? "" : "bert.";
  Error failure;
  bool failed = false;
  const auto read = [&](const std::string& name, std::vector<std::int64_t> shape) {
    if (failed) return std::vector<float>();
    auto values = file->Floats(prefix + name, shape);
    if (!values) {
      failure = values.error();
      failed = true;
      return std::vector<float>();
    }
    return std::move(*values);
  };
  model.word_embeddings_ = read("embeddings.word_embeddings.weight", {folder.vocab_size, h});
  model.position_embeddings_ =
      read("embeddings.position_embeddings.weight", {folder.max_positions, h});
  auto types = read("embeddings.token_type_embeddings.weight", {folder.type_vocab_size, h});
  const auto type_zero = std::min<std::size_t>(types.size(), static_cast<std::size_t>(h));
  model.token_type_embedding_.assign(types.begin(), types.begin() + type_zero);
  model.embedding_norm_gain_ = read("embeddings.LayerNorm.weight", {h});
  model.embedding_norm_bias_ = read("embeddings.LayerNorm.bias", {h});
  for (int i = 0; i < folder.layers; ++i) {
    const auto at = fmt::format("encoder.layer.{}.", i);
    Layer layer;
    std::vector<float> qkv_weight;
    for (const char* part : {"query", "key", "value"}) {
      const auto weight = read(at + "attention.self." + part + ".weight", {h, h});
      const auto bias = read(at + "attention.self." + part + ".bias", {h});
      qkv_weight.insert(qkv_weight.end(), weight.begin(), weight.end());
      layer.qkv_bias.insert(layer.qkv_bias.end(), bias.begin(), bias.end());
    }
    const auto hidden = static_cast<int>(h);
    const auto inner = static_cast<int>(inter);
    layer.qkv = model.MakeLinear(std::move(qkv_weight), 3 * hidden, hidden);
    layer.attention_out =
        model.MakeLinear(read(at + "attention.output.dense.weight", {h, h}), hidden, hidden);
    layer.attention_out_bias = read(at + "attention.output.dense.bias", {h});
    layer.attention_norm_gain = read(at + "attention.output.LayerNorm.weight", {h});
    layer.attention_norm_bias = read(at + "attention.output.LayerNorm.bias", {h});
    layer.intermediate =
        model.MakeLinear(read(at + "intermediate.dense.weight", {inter, h}), inner, hidden);
    layer.intermediate_bias = read(at + "intermediate.dense.bias", {inter});
    layer.output = model.MakeLinear(read(at + "output.dense.weight", {h, inter}), hidden, inner);
    layer.output_bias = read(at + "output.dense.bias", {h});
    layer.output_norm_gain = read(at + "output.LayerNorm.weight", {h});
    layer.output_norm_bias = read(at + "output.LayerNorm.bias", {h});
    model.layers_.push_back(std::move(layer));
  }
  if (failed) return tl::unexpected(failure);
  return model;
}

std::vector<std::vector<float>> BertEncoder::Embed(
    const std::vector<std::vector<std::int32_t>>& sequences, Scratch& scratch) const {
  const int batch = static_cast<int>(sequences.size());
  if (batch == 0) return {};
  int length = 1;
  for (const auto& ids : sequences) length = std::max(length, static_cast<int>(ids.size()));
  length = std::min(length, max_positions_);
  const int h = hidden_;
  const int head_dims = h / heads_;
  const int rows = batch * length;
  // The products' outputs hold whole tiles with bf16 (amx::Multiply).
  const int capacity = precision_ == Precision::kBf16 ? amx::PaddedRows(rows) : rows;
  const auto at = [](int row, int width) { return std::size_t(row) * std::size_t(width); };

  // Embeddings: word + position + token type 0, then LayerNorm. Padding rows stay zero-ish
  // and are masked out of attention and pooling.
  auto& x = scratch.x;
  x.assign(at(capacity, h), 0.0F);
  for (int b = 0; b < batch; ++b) {
    const auto& ids = sequences[b];
    for (int t = 0; t < length && t < static_cast<int>(ids.size()); ++t) {
      const int id = std::clamp(ids[t], 0, vocab_ - 1);
      float* row = x.data() + at(b * length + t, h);
      const float* word = word_embeddings_.data() + at(id, h);
      const float* position = position_embeddings_.data() + at(t, h);
      for (int i = 0; i < h; ++i) row[i] = word[i] + position[i] + token_type_embedding_[i];
    }
  }
  kernels::AddAndNorm(x.data(), nullptr, nullptr, rows, h, embedding_norm_gain_.data(),
                      embedding_norm_bias_.data(), eps_);

  auto& qkv = scratch.qkv;
  auto& context = scratch.context;
  auto& attended = scratch.attended;
  auto& intermediate = scratch.intermediate;
  auto& scores = scratch.scores;
  qkv.resize(at(capacity, 3 * h));
  context.assign(at(rows, h), 0.0F);  // padding rows are never written: zeros, not stale values
  attended.resize(at(capacity, h));
  // A multiple of the tile height, so a slice's padded output rows stay inside `capacity`.
  constexpr int kFeedForwardSliceRows = 128;
  const int ffn_rows = precision_ == Precision::kBf16 ? kFeedForwardSliceRows : rows;
  intermediate.resize(at(ffn_rows, intermediate_));
  scores.resize(at(length, length));
  const float scale = 1.0F / std::sqrt(static_cast<float>(head_dims));
  for (const auto& layer : layers_) {
    for (int r = 0; r < capacity; ++r) {
      std::copy(layer.qkv_bias.begin(), layer.qkv_bias.end(), qkv.data() + at(r, 3 * h));
    }
    Product(x.data(), rows, layer.qkv, qkv.data(), /*accumulate=*/true, scratch);
    for (int b = 0; b < batch; ++b) {
      const int valid = std::min<int>(length, static_cast<int>(sequences[b].size()));
      const float* base = qkv.data() + at(b * length, 3 * h);
      for (int head = 0; head < heads_; ++head) {
        const float* query = base + head * head_dims;
        const float* key = base + h + head * head_dims;
        const float* value = base + 2 * h + head * head_dims;
        // scores[i, j] = q_i · k_j / sqrt(d), over the sequence's own tokens only.
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, valid, valid, head_dims, scale,
                    query, 3 * h, key, 3 * h, 0.0F, scores.data(), length);
        kernels::SoftmaxRows(scores.data(), valid, valid, length);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, valid, head_dims, valid, 1.0F,
                    scores.data(), length, value, 3 * h, 0.0F,
                    context.data() + at(b * length, h) + head * head_dims, h);
      }
    }
    Product(context.data(), rows, layer.attention_out, attended.data(), false, scratch);
    kernels::AddAndNorm(attended.data(), layer.attention_out_bias.data(), x.data(), rows, h,
                        layer.attention_norm_gain.data(), layer.attention_norm_bias.data(), eps_);
    // The feed-forward block a slice of rows at a time, so its wide intermediate activations
    // stay in cache between the two products (fp32 takes all rows at once: BLAS repacks the
    // weights on every call).
    for (int first = 0; first < rows; first += ffn_rows) {
      const int count = std::min(ffn_rows, rows - first);
      Product(attended.data() + at(first, h), count, layer.intermediate, intermediate.data(),
              false, scratch);
      kernels::AddBiasGelu(intermediate.data(), count, intermediate_,
                           layer.intermediate_bias.data());
      Product(intermediate.data(), count, layer.output, x.data() + at(first, h), false, scratch);
    }
    kernels::AddAndNorm(x.data(), layer.output_bias.data(), attended.data(), rows, h,
                        layer.output_norm_gain.data(), layer.output_norm_bias.data(), eps_);
  }

  std::vector<std::vector<float>> out(batch, std::vector<float>(h, 0.0F));
  for (int b = 0; b < batch; ++b) {
    const int valid = std::max(1, std::min<int>(length, static_cast<int>(sequences[b].size())));
    auto& vector = out[b];
    if (pooling_ == Pooling::kCls) {
      std::copy_n(x.data() + at(b * length, h), h, vector.begin());
    } else {
      for (int t = 0; t < valid; ++t) {
        const float* row = x.data() + at(b * length + t, h);
        for (int i = 0; i < h; ++i) vector[i] += row[i];
      }
      for (auto& v : vector) v /= static_cast<float>(valid);
    }
    if (normalize_) {
      double norm = 0;
      for (const float v : vector) norm += double(v) * v;
      const auto inverse = static_cast<float>(1.0 / std::max(std::sqrt(norm), 1e-12));
      for (auto& v : vector) v *= inverse;
    }
  }
  return out;
}

}  // namespace tributary::embedder::local
