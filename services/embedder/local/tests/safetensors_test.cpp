// safetensors files written here byte by byte: what a good one reads as, and the clear error
// each kind of bad one gets.
#include "services/embedder/local/safetensors.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

namespace tributary::embedder::local {
namespace {

namespace fs = std::filesystem;

class SafeTensorsTest : public ::testing::Test {
 protected:
  // A file of the header's length (u64 little-endian), the header, then `data`.
  std::string Write(const std::string& header, const std::string& data,
                    std::uint64_t header_length = 0) {
    const auto path = (dir_ / ("t" + std::to_string(files_++) + ".safetensors")).string();
    std::ofstream out(path, std::ios::binary);
    std::uint64_t length = header_length != 0 ? header_length : header.size();
    for (int i = 0; i < 8; ++i) out.put(static_cast<char>((length >> (8 * i)) & 0xFF));
    out << header << data;
    return path;
  }
  static std::string Floats(std::initializer_list<float> values) {
    std::string out;
    for (const float v : values) out.append(reinterpret_cast<const char*>(&v), 4);
    return out;
  }
  static std::string Halves(std::initializer_list<std::uint16_t> values) {
    std::string out;
    for (const auto v : values) out.append(reinterpret_cast<const char*>(&v), 2);
    return out;
  }
  // The error message Open gives for this file, or "" when it opens.
  static std::string OpenError(const std::string& path) {
    auto file = SafeTensors::Open(path);
    return file ? "" : file.error().message;
  }

  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("safetensors-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  int files_ = 0;
};

TEST_F(SafeTensorsTest, ReadsF32F16AndBf16AsFloats) {
  const std::string header =
      R"({"__metadata__":{"format":"pt"},)"
      R"("a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},)"
      R"("h":{"dtype":"F16","shape":[3],"data_offsets":[16,22]},)"
      R"("b":{"dtype":"BF16","shape":[2],"data_offsets":[22,26]}})";
  const auto path = Write(header, Floats({1.5F, -2.0F, 0.25F, 3.0F}) +
                                      Halves({0x3C00, 0xC000, 0x3555}) + Halves({0x3F80, 0xC040}));
  auto file = SafeTensors::Open(path);
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_EQ(file->tensors().size(), 3U);
  EXPECT_EQ(*file->Floats("a", {2, 2}), (std::vector<float>{1.5F, -2.0F, 0.25F, 3.0F}));
  const auto halves = *file->Floats("h", {3});
  EXPECT_EQ(halves[0], 1.0F);
  EXPECT_EQ(halves[1], -2.0F);
  EXPECT_EQ(halves[2], 0.333251953125F);  // 0x3555, the half nearest 1/3
  EXPECT_EQ(*file->Floats("b", {2}), (std::vector<float>{1.0F, -3.0F}));
}

TEST_F(SafeTensorsTest, HalfPrecisionEdgeValuesAreExact) {
  EXPECT_EQ(HalfToFloat(0x0000), 0.0F);
  EXPECT_TRUE(std::signbit(HalfToFloat(0x8000)));
  EXPECT_EQ(HalfToFloat(0x7BFF), 65504.0F);                // largest normal
  EXPECT_EQ(HalfToFloat(0x0400), std::ldexp(1.0F, -14));   // smallest normal
  EXPECT_EQ(HalfToFloat(0x0001), std::ldexp(1.0F, -24));   // smallest subnormal
  EXPECT_EQ(HalfToFloat(0x03FF), std::ldexp(1023.0F, -24));  // largest subnormal
  EXPECT_EQ(HalfToFloat(0x7C00), std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(HalfToFloat(0x7E00)));
  EXPECT_EQ(BFloat16ToFloat(0x4049), 3.140625F);
}

TEST_F(SafeTensorsTest, EachBadFileGetsAnErrorNamingItAndTheProblem) {
  const auto tensor = [](const std::string& entry) { return R"({"w":)" + entry + "}"; };
  const std::string good = R"({"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
  struct Case {
    std::string header;
    std::string data;
    std::uint64_t header_length;
    std::string expected;
  };
  const Case cases[] = {
      {tensor(good), Floats({1, 2}), 1'000'000, "header of 1000000 bytes"},
      {"{not json", "", 0, "header is not valid JSON"},
      {"[1,2]", "", 0, "header is not a JSON object"},
      {tensor(R"({"dtype":"F32","shape":[2]})"), Floats({1, 2}), 0,
       "tensor 'w': needs dtype, shape and two data_offsets"},
      {tensor(R"({"dtype":"F32","shape":[2],"data_offsets":[0,16]})"), Floats({1, 2}), 0,
       "tensor 'w': data_offsets [0, 16] outside the 8 bytes of data"},
      {tensor(R"({"dtype":"F32","shape":[3],"data_offsets":[0,8]})"), Floats({1, 2}), 0,
       "tensor 'w': 8 bytes for 3 F32 values"},
      {tensor(R"({"dtype":"F32","shape":[-2],"data_offsets":[0,8]})"), Floats({1, 2}), 0,
       "tensor 'w': shape holds something other than a size"},
  };
  for (const auto& c : cases) {
    const auto path = Write(c.header, c.data, c.header_length);
    const auto error = OpenError(path);
    EXPECT_NE(error.find(path), std::string::npos) << error;
    EXPECT_NE(error.find(c.expected), std::string::npos) << error;
  }
  const auto tiny = (dir_ / "tiny.safetensors").string();
  std::ofstream(tiny) << "abc";
  EXPECT_NE(OpenError(tiny).find("3 bytes: too short"), std::string::npos);
  EXPECT_NE(OpenError((dir_ / "absent.safetensors").string()).find("No such file"),
            std::string::npos);
}

TEST_F(SafeTensorsTest, MissingTensorOtherShapeAndOtherDtypeAreErrors) {
  const auto path = Write(R"({"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},)"
                          R"("ids":{"dtype":"I64","shape":[2],"data_offsets":[16,32]}})",
                          Floats({1, 2, 3, 4}) + std::string(16, '\0'));
  auto file = SafeTensors::Open(path);
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_EQ(file->Floats("v", {2, 2}).error().message, path + ": no tensor 'v'");
  EXPECT_EQ(file->Floats("w", {4}).error().message,
            path + ": tensor 'w' has shape [2, 2], expected [4]");
  EXPECT_EQ(file->Floats("ids", {2}).error().message,
            path + ": tensor 'ids' is I64; expected F32, F16 or BF16");
  EXPECT_EQ(file->Floats("w", {4}).error().error_class, "model");
}

}  // namespace
}  // namespace tributary::embedder::local
