// MeasureText (text_measure.hpp): its figures on small cases, and its 16-bytes-a-step path
// against the definition, byte by byte, on random text of every length around the steps.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "services/parser/text_measure.hpp"

namespace tributary::parser {
namespace {

// The definition, one character at a time: characters that are not whitespace, plus one per
// run of whitespace, when there is any character at all; commas in all their forms.
TextMeasure Reference(const std::string& text) {
  const std::vector<std::string> wide_commas = {"\xD8\x8C", "\xEF\xB9\x90", "\xEF\xB8\x90",
                                                "\xEF\xB8\x91", "\xEF\xBC\x8C", "\xE3\x80\x81"};
  std::uint32_t characters = 0;
  std::uint32_t runs = 0;
  std::uint32_t commas = 0;
  bool in_space = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
      if (!in_space) ++runs;
      in_space = true;
      continue;
    }
    in_space = false;
    if ((static_cast<unsigned char>(c) & 0xC0) == 0x80) continue;
    ++characters;
    if (c == ',') ++commas;
    for (const auto& comma : wide_commas) {
      if (text.compare(i, comma.size(), comma) == 0) ++commas;
    }
  }
  if (characters == 0) return {};
  return {characters + runs, commas};
}

void ExpectMeasure(const std::string& text, std::uint32_t length, std::uint32_t commas) {
  const auto got = MeasureText(text);
  EXPECT_EQ(got.length, length) << '"' << text << '"';
  EXPECT_EQ(got.commas, commas) << '"' << text << '"';
}

TEST(MeasureText, CountsCharactersWhitespaceRunsAndCommas) {
  ExpectMeasure("", 0, 0);
  ExpectMeasure(" \t\n ", 0, 0);
  ExpectMeasure("a b", 3, 0);
  ExpectMeasure(" a \n\n b ", 5, 0);  // leading, middle and trailing runs: one each
  ExpectMeasure("Caf\xC3\xA9, na\xC3\xAFve", 11, 1);
  ExpectMeasure("a\xE3\x80\x81" "b\xEF\xBC\x8C" "c\xD8\x8C", 6, 3);
  // Past the first 16 bytes, and a wide comma across the boundary of two steps.
  ExpectMeasure(std::string(15, 'x') + "\xEF\xBC\x8C" + std::string(20, ' ') + "y,", 19, 2);
}

TEST(MeasureText, AgreesWithTheDefinitionOnRandomText) {
  const std::vector<std::string> pieces = {"a",   "Z",        " ",           "  ",    "\t",
                                           "\n",  "\r\n",     "\f",          ",",     ".",
                                           "\xC3\xA9",        "\xE2\x80\x94", "\xF0\x9F\x98\x80",
                                           "\xD8\x8C",        "\xEF\xBC\x8C", "\xE3\x80\x81",
                                           "\xEF\xB9\x90",    "\xEF\xB8\x91"};
  std::mt19937 random(20261207);
  for (int round = 0; round < 5000; ++round) {
    std::string text;
    const auto count = random() % 40;
    for (std::uint32_t i = 0; i < count; ++i) text += pieces[random() % pieces.size()];
    const auto want = Reference(text);
    const auto got = MeasureText(text);
    ASSERT_EQ(got.length, want.length) << '"' << text << '"';
    ASSERT_EQ(got.commas, want.commas) << '"' << text << '"';
  }
}

}  // namespace
}  // namespace tributary::parser
