#include "services/parser/charset.hpp"

#include <gtest/gtest.h>
#include <iconv.h>

namespace tributary::parser {
namespace {

TEST(Charset, FromContentType) {
  EXPECT_EQ(CharsetFromContentType("text/xml; Charset=\"ISO-8859-1\""), "iso-8859-1");
  EXPECT_EQ(CharsetFromContentType("application/rss+xml"), "");
}

TEST(Charset, Utf8ValidationRejectsOverlongsSurrogatesAndTruncation) {
  EXPECT_TRUE(IsValidUtf8("plain \xC3\xA9 \xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // truncated
}

TEST(Charset, SanitizeReplacesInvalidAndDropsControls) {
  EXPECT_EQ(SanitizeUtf8("a\xFF"
                         "b"),
            "a\uFFFDb");
  EXPECT_EQ(SanitizeUtf8(std::string("a\0b\x01\tc\n", 7)), "ab\tc\n");
}

TEST(Charset, TruncateNeverSplitsASequence) {
  std::string text = "ab\xE2\x82\xAC";
  TruncateUtf8(text, 4);
  EXPECT_EQ(text, "ab");
}

TEST(Charset, DecodeOrderOfBelief) {
  EXPECT_EQ(DecodeToUtf8("\xEF\xBB\xBFhi", "iso-8859-1").text, "hi");      // BOM wins
  EXPECT_EQ(DecodeToUtf8("caf\xC3\xA9", "iso-8859-1").text, "caf\u00e9");  // valid UTF-8 wins
  EXPECT_EQ(DecodeToUtf8("caf\xE9", "").text, "caf\u00e9");                // fallback windows-1252
  const auto koi8 = DecodeToUtf8("<?xml version=\"1.0\" encoding=\"koi8-r\"?>\xF0\xD2\xC9", "");
  EXPECT_EQ(koi8.charset, "koi8-r");
  EXPECT_NE(koi8.text.find("\u041f\u0440\u0438"), std::string::npos);
  EXPECT_EQ(DecodeToUtf8("\x81", "").text, "\u0081");  // undefined in cp1252: latin-1
}

}  // namespace
}  // namespace tributary::parser

namespace tributary::parser {
namespace {

// `utf8` encoded in `charset` with iconv, as a publisher's tools would have written it.
std::string Encoded(const std::string& utf8, const char* charset) {
  iconv_t cd = iconv_open(charset, "UTF-8");
  EXPECT_NE(cd, reinterpret_cast<iconv_t>(-1)) << charset;
  std::string out(utf8.size() * 4, '\0');
  char* in_ptr = const_cast<char*>(utf8.data());
  std::size_t in_left = utf8.size();
  char* out_ptr = out.data();
  std::size_t out_left = out.size();
  EXPECT_NE(iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left), static_cast<std::size_t>(-1));
  iconv_close(cd);
  out.resize(out.size() - out_left);
  return out;
}

TEST(Charset, EbcdicDocumentsAreReadInTheCodePageTheyDeclare) {
  const std::string doc =
      "<?xml version=\"1.0\" encoding=\"cp500\"?><rss><title>\xC3\x98 [x]</title></rss>";
  EXPECT_EQ(DecodeToUtf8(Encoded(doc, "IBM500"), "").text, doc);
  // No declared encoding: IBM037, the EBCDIC of XML's appendix F.
  const std::string plain = "<?xml version=\"1.0\"?><rss><title>\xC3\x98</title></rss>";
  EXPECT_EQ(DecodeToUtf8(Encoded(plain, "IBM037"), "").text, plain);
}

TEST(Charset, CharsetNamesAsFeedsSpellThem) {
  const auto declared = [](const char* name, const std::string& byte) {
    return DecodeToUtf8("<?xml version=\"1.0\" encoding=\"" + std::string(name) + "\"?><t>" +
                            byte + "</t>",
                        "")
        .text;
  };
  EXPECT_EQ(declared("macroman", "\x80"),
            "<?xml version=\"1.0\" encoding=\"macroman\"?><t>\xC3\x84</t>");
  EXPECT_EQ(declared("windows_1251", "\x80"),
            "<?xml version=\"1.0\" encoding=\"windows_1251\"?><t>\xD0\x82</t>");
  EXPECT_EQ(declared("cp_is", "\x80"),
            "<?xml version=\"1.0\" encoding=\"cp_is\"?><t>\xC3\x87</t>");
  EXPECT_EQ(declared("maclatin2", "\x80"),
            "<?xml version=\"1.0\" encoding=\"maclatin2\"?><t>\xC3\x84</t>");
}

}  // namespace
}  // namespace tributary::parser
