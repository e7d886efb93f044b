#pragma once
// A BERT encoder and its sentence-transformers pooling, in fp32 over BLAS: token ids in, one
// sentence vector out per sequence. The weights are read once (model.safetensors, fp32/fp16/
// bf16, with or without a "bert." prefix on the tensor names) and shared by every call; each
// call works in its own scratch space, so calls from several threads run side by side.
#include <cstdint>
#include <vector>

#include "common/base/result.hpp"
#include "services/embedder/local/model_folder.hpp"

namespace tributary::embedder::local {

class BertEncoder {
 public:
  static Result<BertEncoder> Load(const ModelFolder& folder);

  // The activations of one batch, kept between calls by whoever runs batches one after
  // another (a thread): memory is reused, not allocated afresh for every batch.
  struct Scratch {
    std::vector<float> x, qkv, context, attended, intermediate, scores;
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

 private:
  struct Layer {
    std::vector<float> qkv_weight;  // [3H, H]: query, key and value rows, for one product
    std::vector<float> qkv_bias;    // [3H]
    std::vector<float> attention_out_weight, attention_out_bias;  // [H, H], [H]
    std::vector<float> attention_norm_gain, attention_norm_bias;  // [H]
    std::vector<float> intermediate_weight, intermediate_bias;    // [I, H], [I]
    std::vector<float> output_weight, output_bias;                // [H, I], [H]
    std::vector<float> output_norm_gain, output_norm_bias;        // [H]
  };

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
