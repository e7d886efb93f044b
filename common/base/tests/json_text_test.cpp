// Hand-written JSON strings: what must be escaped is, and nothing else changes.
#include "common/base/json_text.hpp"

#include <gtest/gtest.h>

namespace tributary {
namespace {

TEST(JsonText, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(JsonString("a\"\n\x01"), R"("a\"\n\u0001")");
  EXPECT_EQ(JsonString("tab\there\\ \r\x1f"), R"("tab\there\\ \r\u001f")");
}

TEST(JsonText, LeavesUtf8AndPrintableTextAlone) {
  std::string out = "x:";
  AppendJsonEscaped("caf\xc3\xa9 \xe2\x86\x92 ok", out);
  EXPECT_EQ(out, "x:caf\xc3\xa9 \xe2\x86\x92 ok");
}

}  // namespace
}  // namespace tributary
