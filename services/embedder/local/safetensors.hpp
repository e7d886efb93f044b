#pragma once
// A safetensors file, the format sentence-transformers models are published in: an 8-byte
// little-endian header length, a JSON header naming each tensor's dtype, shape and byte range,
// then the data. The file is memory-mapped and read only where a tensor is asked for; every
// problem (truncated file, bad header, missing tensor, other shape or dtype) is an error that
// names the file and the tensor.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"

namespace tributary::embedder::local {

class SafeTensors {
 public:
  struct Tensor {
    std::string dtype;  // "F32", "F16", "BF16", "I64", ...
    std::vector<std::int64_t> shape;
    std::size_t begin = 0;  // byte range within the data section
    std::size_t end = 0;
  };

  static Result<SafeTensors> Open(const std::string& path);

  [[nodiscard]] bool Has(std::string_view name) const;
  [[nodiscard]] const std::map<std::string, Tensor, std::less<>>& tensors() const {
    return tensors_;
  }
  // The tensor as fp32 (F32 copied, F16 and BF16 widened), checked to have exactly `shape`.
  [[nodiscard]] Result<std::vector<float>> Floats(std::string_view name,
                                                  const std::vector<std::int64_t>& shape) const;

 private:
  std::string path_;
  std::shared_ptr<const void> mapping_;  // the mapped file, unmapped with its last copy
  std::string_view data_;  // the bytes after the header
  std::map<std::string, Tensor, std::less<>> tensors_;
};

// IEEE half and bfloat16 to float, exactly.
float HalfToFloat(std::uint16_t half);
float BFloat16ToFloat(std::uint16_t value);

}  // namespace tributary::embedder::local
