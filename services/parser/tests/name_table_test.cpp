#include "services/parser/name_table.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "services/parser/html_entities.hpp"

namespace tributary::parser {
namespace {

TEST(NameTable, FindsEveryNameOfANearlyFullTable) {
  // 120 names in 128 slots: long probe chains, every one must still be walked to its end.
  std::vector<std::string> names;
  for (int i = 0; i < 120; ++i) names.push_back("n" + std::to_string(i));
  NameTable<int, 128> table;
  for (int i = 0; i < 120; ++i) table.Merge(names[i], i + 1);
  for (int i = 0; i < 120; ++i) EXPECT_EQ(table.Find(names[i]), i + 1) << names[i];
  for (const std::string absent : {"n120", "n", "N1", "n1 ", "", "x"}) {
    EXPECT_EQ(table.Find(absent), 0) << absent;
  }
}

TEST(NameTable, MergeAddsFlagsAndALaterEntryWins) {
  constexpr auto table = [] {
    NameTable<unsigned, 8> flags = {{"a", 1}, {"b", 2}, {"a", 4}};
    flags.Merge("b", 8);
    return flags;
  }();
  static_assert(table.Find("a") == 4 && table.Find("b") == 10 && table.Find("c") == 0);
  EXPECT_EQ(table.Find("b"), 10u);
}

TEST(NameTable, HtmlEntitiesFromTheWholeTable) {
  EXPECT_EQ(HtmlEntity("AElig"), "\xC3\x86");  // first by name
  EXPECT_EQ(HtmlEntity("zwnj"), "\xE2\x80\x8C");  // last by name
  EXPECT_EQ(HtmlEntity("NotEqualTilde"), "\xE2\x89\x82\xCC\xB8");  // two code points
  EXPECT_EQ(HtmlEntity("aacute"), "\xC3\xA1");
  EXPECT_EQ(HtmlEntity("Aacute"), "\xC3\x81");  // case matters
  EXPECT_FALSE(HtmlEntity("aacutee").has_value());
  EXPECT_FALSE(HtmlEntity("").has_value());
}

}  // namespace
}  // namespace tributary::parser
