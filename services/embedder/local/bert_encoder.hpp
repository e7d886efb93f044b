#pragma once
// A BERT encoder and its sentence-transformers pooling: token ids in, one sentence vector out
// per sequence. The Linear layers multiply in fp32 over BLAS or in bf16 on AMX tiles
// (Precision); everything else is fp32. The weights are read once (model.safetensors, fp32/fp16/
// bf16, with or without a "bert." prefix on the tensor names) and shared by every call; each
// call works in its own scratch space, so calls from several threads run side by side.
#include <cstdint>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"
#include "services/embedder/local/model_folder.hpp"

namespace tributary::embedder::local {

// How the Linear layers (~95 % of the arithmetic) multiply. kFp32: OpenBLAS sgemm, the
// reference's own arithmetic. kBf16: inputs and weights rounded to bfloat16, fp32 sums, on
// Intel AMX (amx_bf16.hpp): several times faster, vectors within cosine 0.9999 of fp32.
// kAuto: kBf16 where the CPU has AMX, else kFp32.
enum class Precision { kAuto, kFp32, kBf16 };

// "fp32", "bf16" or "auto" (anything else): the --precision values.
Precision PrecisionNamed(std::string_view name);
// What a model runs in, for logs: "bf16 (Intel AMX)" or "fp32 (OpenBLAS)".
std::string_view PrecisionLabel(Precision precision);

class BertEncoder {
 public:
  // kBf16 on a CPU without AMX (or a model whose sizes do not tile) is an error.
  static Result<BertEncoder> Load(const ModelFolder& folder, Precision precision);

  // The activations of one batch, kept between calls by whoever runs batches one after
  // another (a thread): memory is reused, not allocated afresh for every batch.
  struct Scratch {
    std::vector<float> x, qkv, context, attended, intermediate, scores;
    std::vector<std::uint16_t> staging;  // a product's input in bf16 (Precision::kBf16)
  };

  // One vector per sequence ([CLS] ... [SEP], each no longer than the model's positions), in
  // order. Sequences of similar length batch best: each is padded to the longest.
  [[nodiscard]] std::vector<std::vector<float>> Embed(
      const std::vector<std::vector<std::int32_t>>& sequences, Scratch& scratch) const;
  [[nodiscard]] std::vector<std::vector<float>> Embed(
      const std::vector<std::vector<std::int32_t>>& sequences) const {
    Scratch scratch;
    return Embed(sequences, scratch);
  }

  [[nodiscard]] int dims() const { return hidden_; }
  // kFp32 or kBf16: what kAuto became.
  [[nodiscard]] Precision precision() const { return precision_; }

 private:
  // A Linear layer's weight ([outputs, inputs], PyTorch's layout) in the form its precision
  // multiplies: fp32 for BLAS, or bf16 tiles for AMX (the fp32 copy is then dropped).
  struct Linear {
    int outputs = 0;
    int inputs = 0;
    std::vector<float> weight;
    std::vector<std::uint16_t> tiles;
  };
  struct Layer {
    Linear qkv;  // [3H, H]: query, key and value rows, for one product
    std::vector<float> qkv_bias;  // [3H]
    Linear attention_out;         // [H, H]
    std::vector<float> attention_out_bias;                        // [H]
    std::vector<float> attention_norm_gain, attention_norm_bias;  // [H]
    Linear intermediate;          // [I, H]
    std::vector<float> intermediate_bias;                         // [I]
    Linear output;                // [H, I]
    std::vector<float> output_bias;                               // [H]
    std::vector<float> output_norm_gain, output_norm_bias;        // [H]
  };

  // out[rows, outputs] = in[rows, inputs] · weightᵀ (+ out when `accumulate`). With kBf16,
  // `out` needs room for amx::PaddedRows(rows) rows.
  void Product(const float* in, int rows, const Linear& linear, float* out, bool accumulate,
               Scratch& scratch) const;
  [[nodiscard]] Linear MakeLinear(std::vector<float> weight, int outputs, int inputs) const;

  Precision precision_ = Precision::kFp32;

  int hidden_ = 0;
  int heads_ = 0;
  int intermediate_ = 0;
  int max_positions_ = 0;
  int vocab_ = 0;
  float eps_ = 0;
  Pooling pooling_ = Pooling::kMean;
  bool normalize_ = false;
  std::vector<float> word_embeddings_;      // [V, H]
  std::vector<float> position_embeddings_;  // [P, H]
  std::vector<float> token_type_embedding_;  // [H], type 0 (single sentences)
  std::vector<float> embedding_norm_gain_, embedding_norm_bias_;
  std::vector<Layer> layers_;
};

}  // namespace tributary::embedder::local
