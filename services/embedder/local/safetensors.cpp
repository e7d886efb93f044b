#include "services/embedder/local/safetensors.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <bit>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

namespace tributary::embedder::local {
namespace {

// The specification caps the header at 100 MB; anything larger is not a model we can read.
constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;

std::size_t DtypeBytes(std::string_view dtype) {
  if (dtype == "F64" || dtype == "I64" || dtype == "U64") return 8;
  if (dtype == "F32" || dtype == "I32" || dtype == "U32") return 4;
  if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16") return 2;
  if (dtype == "I8" || dtype == "U8" || dtype == "BOOL" || dtype == "F8_E4M3" ||
      dtype == "F8_E5M2") {
    return 1;
  }
  return 0;
}

tl::unexpected<Error> Problem(const std::string& path, const std::string& what) {
  return Fail(ErrorKind::kPermanent, "model", fmt::format("{}: {}", path, what));
}

// The tensor entries of a parsed header, each checked against the data section's size.
Result<std::map<std::string, SafeTensors::Tensor, std::less<>>> ReadHeader(
    const std::string& path, const nlohmann::json& header, std::size_t data_bytes) {
  if (!header.is_object()) return Problem(path, "header is not a JSON object");
  std::map<std::string, SafeTensors::Tensor, std::less<>> tensors;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") continue;
    const auto bad = [&](const std::string& what) {
      return Problem(path, fmt::format("tensor '{}': {}", name, what));
    };
    if (!entry.is_object() || !entry.contains("dtype") || !entry["dtype"].is_string() ||
        !entry.contains("shape") || !entry["shape"].is_array() ||
        !entry.contains("data_offsets") || !entry["data_offsets"].is_array() ||
        entry["data_offsets"].size() != 2) {
      return bad("needs dtype, shape and two data_offsets");
    }
    SafeTensors::Tensor tensor;
    tensor.dtype = entry["dtype"].get<std::string>();
    std::uint64_t elements = 1;
    for (const auto& dim : entry["shape"]) {
      if (!dim.is_number_unsigned()) return bad("shape holds something other than a size");
      const auto size = dim.get<std::uint64_t>();
      if (size != 0 && elements > (std::uint64_t{1} << 48) / size) return bad("shape too large");
      elements *= size;
      tensor.shape.push_back(static_cast<std::int64_t>(size));
    }
    const auto& offsets = entry["data_offsets"];
    if (!offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned()) {
      return bad("data_offsets are not byte offsets");
    }
    tensor.begin = offsets[0].get<std::size_t>();
    tensor.end = offsets[1].get<std::size_t>();
    if (tensor.begin > tensor.end || tensor.end > data_bytes) {
      return bad(fmt::format("data_offsets [{}, {}] outside the {} bytes of data", tensor.begin,
                             tensor.end, data_bytes));
    }
    if (const auto width = DtypeBytes(tensor.dtype);
        width != 0 && tensor.end - tensor.begin != elements * width) {
      return bad(fmt::format("{} bytes for {} {} values", tensor.end - tensor.begin, elements,
                             tensor.dtype));
    }
    tensors.emplace(name, std::move(tensor));
  }
  return tensors;
}

}  // namespace

float HalfToFloat(std::uint16_t half) {
  const std::uint32_t sign = static_cast<std::uint32_t>(half & 0x8000U) << 16;
  std::uint32_t exponent = (half >> 10) & 0x1FU;
  std::uint32_t mantissa = half & 0x3FFU;
  std::uint32_t bits = 0;
  if (exponent == 0x1F) {  // infinity, NaN
    bits = sign | 0x7F800000U | (mantissa << 13);
  } else if (exponent != 0) {  // normal
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa != 0) {  // subnormal: normalize it
    exponent = 113;
    while ((mantissa & 0x400U) == 0) {
      mantissa <<= 1;
      --exponent;
    }
    bits = sign | (exponent << 23) | ((mantissa & 0x3FFU) << 13);
  } else {
    bits = sign;  // zero
  }
  return std::bit_cast<float>(bits);
}

float BFloat16ToFloat(std::uint16_t value) {
  return std::bit_cast<float>(static_cast<std::uint32_t>(value) << 16);
}

Result<SafeTensors> SafeTensors::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Problem(path, std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int error = errno;
    ::close(fd);
    return Problem(path, std::strerror(error));
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size < 8) {
    ::close(fd);
    return Problem(path, fmt::format("{} bytes: too short for a safetensors file", size));
  }
  void* data = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  const int error = errno;
  ::close(fd);
  if (data == MAP_FAILED) return Problem(path, std::strerror(error));
  SafeTensors file;
  file.path_ = path;
  file.mapping_ = std::shared_ptr<const void>(
      data, [size](const void* mapped) { ::munmap(const_cast<void*>(mapped), size); });
  const auto* bytes = static_cast<const unsigned char*>(data);
  std::uint64_t header_bytes = 0;
  for (int i = 7; i >= 0; --i) header_bytes = (header_bytes << 8) | bytes[i];
  if (header_bytes > kMaxHeaderBytes || header_bytes > size - 8) {
    return Problem(path, fmt::format("header of {} bytes in a file of {}", header_bytes, size));
  }
  const std::string_view header_text(reinterpret_cast<const char*>(bytes) + 8, header_bytes);
  auto header = nlohmann::json::parse(header_text, nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded()) return Problem(path, "header is not valid JSON");
  file.data_ = std::string_view(reinterpret_cast<const char*>(bytes) + 8 + header_bytes,
                                size - 8 - header_bytes);
  auto tensors = ReadHeader(path, header, file.data_.size());
  if (!tensors) return tl::unexpected(tensors.error());
  file.tensors_ = std::move(*tensors);
  return file;
}

bool SafeTensors::Has(std::string_view name) const { return tensors_.contains(name); }

Result<std::vector<float>> SafeTensors::Floats(std::string_view name,
                                               const std::vector<std::int64_t>& shape) const {
  const auto found = tensors_.find(name);
  if (found == tensors_.end()) return Problem(path_, fmt::format("no tensor '{}'", name));
  const auto& tensor = found->second;
  if (tensor.shape != shape) {
    return Problem(path_, fmt::format("tensor '{}' has shape [{}], expected [{}]", name,
                                      fmt::join(tensor.shape, ", "), fmt::join(shape, ", ")));
  }
  const auto raw = data_.substr(tensor.begin, tensor.end - tensor.begin);
  std::vector<float> out;
  if (tensor.dtype == "F32") {
    static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian");
    out.resize(raw.size() / 4);
    std::memcpy(out.data(), raw.data(), raw.size());
    return out;
  }
  if (tensor.dtype == "F16" || tensor.dtype == "BF16") {
    out.resize(raw.size() / 2);
    const bool half = tensor.dtype == "F16";
    for (std::size_t i = 0; i < out.size(); ++i) {
      std::uint16_t value = 0;
      std::memcpy(&value, raw.data() + 2 * i, 2);
      out[i] = half ? HalfToFloat(value) : BFloat16ToFloat(value);
    }
    return out;
  }
  return Problem(path_, fmt::format("tensor '{}' is {}; expected F32, F16 or BF16", name,
                                    tensor.dtype));
}

}  // namespace tributary::embedder::local
