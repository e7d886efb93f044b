#pragma once
// A sentence-transformers model folder as published (all-MiniLM-L6-v2, bge-small, e5-small...):
//   config.json                 the BERT encoder's shape
//   model.safetensors           its weights
//   tokenizer.json              its tokenizer (bert_tokenizer.hpp)
//   modules.json                Transformer -> Pooling [-> Normalize]
//   1_Pooling/config.json       mean or CLS pooling (the path modules.json names)
//   sentence_bert_config.json   max_seq_length (optional; else the position table's size)
// Read once at start; every missing file or field, or an architecture this does not run
// (not BERT, another activation or pooling), is an error naming the file.
#include <cstdint>
#include <string>

#include "common/base/result.hpp"

namespace tributary::embedder::local {

enum class Pooling { kMean, kCls };

struct ModelFolder {
  std::string dir;
  // config.json
  int hidden_size = 0;
  int layers = 0;
  int heads = 0;
  int intermediate_size = 0;
  int max_positions = 0;
  int vocab_size = 0;
  int type_vocab_size = 0;
  float layer_norm_eps = 1e-12F;
  // sentence-transformers modules
  Pooling pooling = Pooling::kMean;
  bool normalize = false;
  int max_seq_length = 0;

  static Result<ModelFolder> Read(const std::string& dir);
  [[nodiscard]] std::string Path(const std::string& file) const { return dir + "/" + file; }
};

}  // namespace tributary::embedder::local
