// Hand-written JSON strings: what must be escaped is, and nothing else changes.
#include "common/base/json_text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>

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

// The scan looks at 16 bytes at a time: each escaped byte must be found wherever it falls
// relative to those blocks, and bytes of 0x80 and up (UTF-8) must never be taken for controls.
TEST(JsonText, EscapesFoundAtEveryPosition) {
  for (std::size_t at = 0; at < 40; ++at) {
    const std::string before(at, '\xC3');
    const std::string after(40 - at, 'b');
    SCOPED_TRACE(at);
    for (const auto& [raw, escaped] : {std::pair<std::string, std::string>{"\"", "\\\""},
                                        {"\\", "\\\\"},
                                        {"\n", "\\n"},
                                        {"\x1f", "\\u001f"},
                                        {std::string(1, '\0'), "\\u0000"}}) {
      std::string out;
      AppendJsonEscaped(before + raw + after, out);
      EXPECT_EQ(out, before + escaped + after);
    }
    std::string out;
    AppendJsonEscaped(before + " \x7f\x80\xff" + after, out);
    EXPECT_EQ(out, before + " \x7f\x80\xff" + after);
  }
}

}  // namespace
}  // namespace tributary
