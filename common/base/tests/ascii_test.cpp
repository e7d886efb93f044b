// Case folding of protocol words: ASCII letters only, whatever the locale.
#include "common/base/ascii.hpp"

#include <gtest/gtest.h>

namespace tributary {
namespace {

TEST(AsciiLower, FoldsAsciiLettersAndLeavesEverythingElse) {
  EXPECT_EQ(AsciiLower("HTTPS://Example.COM:8080/Path"), "https://example.com:8080/path");
  EXPECT_EQ(AsciiLower("ISO-8859-1 \xC3\x89T\xC3\x89"), "iso-8859-1 \xC3\x89t\xC3\x89");
  EXPECT_EQ(AsciiLower('Q'), 'q');
  EXPECT_EQ(AsciiLower('@'), '@');  // the byte before 'A'
  EXPECT_EQ(AsciiLower('['), '[');  // the byte after 'Z'
}

}  // namespace
}  // namespace tributary
