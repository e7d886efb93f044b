#include "common/digest/sha256.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace tributary::digest {
namespace {

// FIPS 180-2's examples.
TEST(Sha256, MatchesTheStandardsVectors) {
  EXPECT_EQ(Sha256HexOf(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256HexOf("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Of("abc").size(), 32U);
  EXPECT_EQ(Hex(std::string("\x00\x0f\xf0\xff", 4)), "000ff0ff");
}

TEST(Sha256, PiecesDigestLikeTheWhole) {
  const std::string text(100'000, 'x');
  Sha256 digest;
  digest.Add(std::string_view(text).substr(0, 7)).Add(std::string_view(text).substr(7));
  const auto pieces = digest.Finish();  // before Sha256Of: one digest at a time per thread
  EXPECT_EQ(pieces, Sha256Of(text));
  // The thread's context is free again: the next digest starts clean.
  EXPECT_EQ(Sha256HexOf("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, ThreadsDigestIndependently) {
  std::string a, b;
  const auto digest_many = [](const char* prefix, std::string* last) {
    for (int i = 0; i < 2000; ++i) *last = Sha256HexOf(prefix + std::to_string(i));
  };
  std::thread ta(digest_many, "a", &a);
  std::thread tb(digest_many, "b", &b);
  ta.join();
  tb.join();
  EXPECT_EQ(a, Sha256HexOf("a1999"));
  EXPECT_EQ(b, Sha256HexOf("b1999"));
}

TEST(Sha256DeathTest, TwoDigestsAtOnceOnOneThreadAbort) {
  EXPECT_DEATH(
      {
        Sha256 first;
        Sha256 second;
      },
      "two digests at once");
}

}  // namespace
}  // namespace tributary::digest
