// The SSRF guard's classifier against a table of addresses in every family DESIGN §8 names,
// each in more than one spelling, plus the odd literal spellings inet_aton accepts.
#include <gtest/gtest.h>

#include <cctype>
#include <ostream>
#include <string>

#include "services/fetcher/address_policy.hpp"

namespace tributary::fetcher {
namespace {

namespace ip = boost::asio::ip;

struct Case {
  const char* text;
  AddressClass expected;
};

// gtest prints parameters (and ctest lists them) with this rather than the struct's bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.text; }

class ClassifyTable : public ::testing::TestWithParam<Case> {};

// "3_0x7f_1" for the fourth case, 0x7f.1: stable ctest names that say which literal failed.
std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  std::string name = std::to_string(info.index) + "_";
  for (const char* c = info.param.text; *c != '\0'; ++c) {
    name += std::isalnum(static_cast<unsigned char>(*c)) != 0 ? *c : '_';
  }
  return name;
}

TEST_P(ClassifyTable, ClassifiesLiteral) {
  const auto& c = GetParam();
  const auto address = ParseHostLiteral(c.text);
  ASSERT_TRUE(address.has_value()) << c.text;
  EXPECT_EQ(ToString(Classify(*address)), ToString(c.expected)) << c.text;
  const bool refused = !AddressPolicy().Check(*address).has_value();
  EXPECT_EQ(refused, c.expected != AddressClass::kPublic) << c.text;
}

INSTANTIATE_TEST_SUITE_P(
    Families, ClassifyTable,
    ::testing::Values(
        // loopback, every spelling
        Case{"127.0.0.1", AddressClass::kLoopback}, Case{"127.1", AddressClass::kLoopback},
        Case{"2130706433", AddressClass::kLoopback}, Case{"0x7f.1", AddressClass::kLoopback},
        Case{"0177.0.0.1", AddressClass::kLoopback}, Case{"0x7f000001", AddressClass::kLoopback},
        Case{"127.255.255.254", AddressClass::kLoopback},
        Case{"127.0.0.1.", AddressClass::kLoopback},
        Case{"::1", AddressClass::kLoopback}, Case{"[::1]", AddressClass::kLoopback},
        Case{"0:0:0:0:0:0:0:1", AddressClass::kLoopback},
        Case{"::ffff:127.0.0.1", AddressClass::kLoopback},
        Case{"::ffff:7f00:1", AddressClass::kLoopback},
        // private
        Case{"10.0.0.1", AddressClass::kPrivate}, Case{"012.1", AddressClass::kPrivate},
        Case{"167772161", AddressClass::kPrivate}, Case{"172.16.0.1", AddressClass::kPrivate},
        Case{"172.31.255.255", AddressClass::kPrivate},
        Case{"0xac.0x10.0.1", AddressClass::kPrivate},
        Case{"192.168.1.1", AddressClass::kPrivate}, Case{"192.168.257", AddressClass::kPrivate},
        Case{"::ffff:10.1.2.3", AddressClass::kPrivate},
        Case{"::ffff:c0a8:101", AddressClass::kPrivate},
        // CGNAT, link-local, metadata
        Case{"100.64.0.1", AddressClass::kCgnat}, Case{"100.127.255.255", AddressClass::kCgnat},
        Case{"169.254.1.1", AddressClass::kLinkLocal}, Case{"fe80::1", AddressClass::kLinkLocal},
        Case{"febf::1", AddressClass::kLinkLocal},
        Case{"169.254.169.254", AddressClass::kMetadata},
        Case{"0xa9fea9fe", AddressClass::kMetadata},
        Case{"2852039166", AddressClass::kMetadata},
        Case{"::ffff:169.254.169.254", AddressClass::kMetadata},
        Case{"fd00:ec2::254", AddressClass::kMetadata},
        // multicast, broadcast, unspecified, this network
        Case{"224.0.0.1", AddressClass::kMulticast},
        Case{"239.255.255.250", AddressClass::kMulticast},
        Case{"ff02::1", AddressClass::kMulticast}, Case{"ff0e::fb", AddressClass::kMulticast},
        Case{"255.255.255.255", AddressClass::kBroadcast},
        Case{"4294967295", AddressClass::kBroadcast},
        Case{"0.0.0.0", AddressClass::kUnspecified}, Case{"0", AddressClass::kUnspecified},
        Case{"::", AddressClass::kUnspecified}, Case{"0.1.2.3", AddressClass::kThisNetwork},
        // documentation, benchmarking, reserved
        Case{"192.0.2.1", AddressClass::kDocumentation},
        Case{"198.51.100.7", AddressClass::kDocumentation},
        Case{"203.0.113.9", AddressClass::kDocumentation},
        Case{"2001:db8::1", AddressClass::kDocumentation},
        Case{"198.18.0.1", AddressClass::kBenchmarking},
        Case{"198.19.255.255", AddressClass::kBenchmarking},
        Case{"240.0.0.1", AddressClass::kReserved}, Case{"192.0.0.8", AddressClass::kReserved},
        Case{"100::1", AddressClass::kReserved}, Case{"::1.2.3.4", AddressClass::kReserved},
        // v6 unique-local, site-local, Teredo
        Case{"fc00::1", AddressClass::kUniqueLocal},
        Case{"fdff:1234::1", AddressClass::kUniqueLocal},
        Case{"fec0::1", AddressClass::kPrivate}, Case{"2001:0:4136:e378::1", AddressClass::kTeredo},
        // embedded v4: NAT64 and 6to4 carry the v4 address they translate to
        Case{"64:ff9b::7f00:1", AddressClass::kLoopback},
        Case{"64:ff9b::10.0.0.1", AddressClass::kPrivate},
        Case{"64:ff9b::8.8.8.8", AddressClass::kPublic},
        Case{"2002:7f00:1::1", AddressClass::kLoopback},
        Case{"2002:a9fe:a9fe::", AddressClass::kMetadata},
        Case{"2002:0808:0808::1", AddressClass::kPublic},
        // public, both families and odd spellings
        Case{"8.8.8.8", AddressClass::kPublic}, Case{"134744072", AddressClass::kPublic},
        Case{"0x8.0x8.0x8.0x8", AddressClass::kPublic},
        Case{"93.184.216.34", AddressClass::kPublic},
        Case{"172.32.0.1", AddressClass::kPublic}, Case{"100.128.0.1", AddressClass::kPublic},
        Case{"2606:4700:4700::1111", AddressClass::kPublic},
        Case{"::ffff:8.8.4.4", AddressClass::kPublic}),
    CaseName);

TEST(ParseHostLiteral, NamesAreNotLiterals) {
  for (const char* name : {"example.com", "localhost", "1.2.3.4.5", "0x", "127.0.0.256",
                           "256.1", "08.0.0.1", "1..2", "", "12a", "[::1", "0x1g"}) {
    const auto parsed = ParseHostLiteral(name);
    if (std::string_view(name) == "0x") {
      // inet_aton reads a bare 0x as zero: the unspecified address, and refused as such.
      ASSERT_TRUE(parsed.has_value());
      EXPECT_EQ(Classify(*parsed), AddressClass::kUnspecified);
      continue;
    }
    EXPECT_FALSE(parsed.has_value()) << name << " parsed as " << parsed->to_string();
  }
}

TEST(ParseHostLiteral, InetAtonForms) {
  EXPECT_EQ(ParseHostLiteral("127.1")->to_string(), "127.0.0.1");
  EXPECT_EQ(ParseHostLiteral("0x7f.1")->to_string(), "127.0.0.1");
  EXPECT_EQ(ParseHostLiteral("0177.0.0.1")->to_string(), "127.0.0.1");
  EXPECT_EQ(ParseHostLiteral("2130706433")->to_string(), "127.0.0.1");
  EXPECT_EQ(ParseHostLiteral("10.1.65535")->to_string(), "10.1.255.255");
  EXPECT_EQ(ParseHostLiteral("0X7F.0.0.01")->to_string(), "127.0.0.1");
  EXPECT_FALSE(ParseHostLiteral("10.1.65536").has_value());
  EXPECT_FALSE(ParseHostLiteral("4294967296").has_value());
}

TEST(AddressPolicy, AllowListLetsNetworksThrough) {
  AddressPolicy policy({*ParseCidr("127.0.0.0/8"), *ParseCidr("fd00::/8")});
  EXPECT_TRUE(policy.Check(ip::make_address("127.0.0.1")).has_value());
  EXPECT_TRUE(policy.Check(ip::make_address("::ffff:127.0.0.2")).has_value());
  EXPECT_TRUE(policy.Check(ip::make_address("fd12::1")).has_value());
  const auto refused = policy.Check(ip::make_address("10.0.0.1"));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().error_class, "ssrf");
  EXPECT_NE(refused.error().message.find("private"), std::string::npos);
  EXPECT_FALSE(policy.Check(ip::make_address("::1")).has_value());
}

TEST(Cidr, Parses) {
  EXPECT_EQ(ParseCidr("10.0.0.0/8")->ToString(), "10.0.0.0/8");
  EXPECT_EQ(ParseCidr("::1")->prefix, 128);
  EXPECT_EQ(ParseCidr("1.2.3.4")->prefix, 32);
  EXPECT_FALSE(ParseCidr("10.0.0.0/33").has_value());
  EXPECT_FALSE(ParseCidr("10.0.0.0/").has_value());
  EXPECT_FALSE(ParseCidr("example.com/8").has_value());
  EXPECT_TRUE(ParseCidr("0.0.0.0/0")->Contains(ip::make_address("8.8.8.8")));
  EXPECT_FALSE(ParseCidr("172.16.0.0/12")->Contains(ip::make_address("172.32.0.1")));
}

}  // namespace
}  // namespace tributary::fetcher
