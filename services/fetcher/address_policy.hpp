#pragma once
// The SSRF guard (DESIGN §8): which IP addresses the fetcher may connect to. URLs come from
// strangers, so every address a name resolves to, every literal in a URL (in any spelling
// inet_aton accepts: 2130706433, 0x7f.1, 127.1, 0177.0.0.1) and the peer actually connected to
// is classified, and only public unicast addresses pass unless an operator allow-lists a network.
#include <boost/asio/ip/address.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"

namespace tributary::fetcher {

enum class AddressClass {
  kPublic,
  kUnspecified,    // 0.0.0.0, ::
  kThisNetwork,    // 0.0.0.0/8
  kLoopback,       // 127.0.0.0/8, ::1
  kPrivate,        // 10/8, 172.16/12, 192.168/16, fec0::/10 (site-local), 64:ff9b:1::/48
  kCgnat,          // 100.64.0.0/10 (shared address space)
  kLinkLocal,      // 169.254.0.0/16, fe80::/10
  kMetadata,       // 169.254.169.254, fd00:ec2::254 (cloud instance metadata)
  kMulticast,      // 224.0.0.0/4, ff00::/8
  kBroadcast,      // 255.255.255.255
  kDocumentation,  // TEST-NET-1/2/3, 2001:db8::/32
  kBenchmarking,   // 198.18.0.0/15, 2001:2::/48
  kReserved,       // 240.0.0.0/4, IETF protocol assignments, 6to4 relay, 100::/64, not 2000::/3
  kUniqueLocal,    // fc00::/7
  kTeredo,         // 2001::/32: the tunnelled v4 address is obfuscated, so never trusted
};

std::string_view ToString(AddressClass value);

// Mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16) addresses are classified by
// the v4 address they carry, so ::ffff:127.0.0.1 is loopback.
AddressClass Classify(const boost::asio::ip::address& address);

// The address a URL host spells, or nothing when it is a name. Accepts bracketed or bare IPv6
// and every IPv4 form inet_aton accepts (1 to 4 parts; decimal, 0-prefixed octal, 0x hex; the
// last part fills the remaining bytes), plus one trailing dot.
std::optional<boost::asio::ip::address> ParseHostLiteral(std::string_view host);

struct Cidr {
  boost::asio::ip::address network;
  int prefix = 0;
  [[nodiscard]] bool Contains(const boost::asio::ip::address& address) const;
  [[nodiscard]] std::string ToString() const;
};

// "127.0.0.0/8", "::1/128", or a bare address (a /32 or /128).
std::optional<Cidr> ParseCidr(std::string_view text);

class AddressPolicy {
 public:
  AddressPolicy() = default;
  explicit AddressPolicy(std::vector<Cidr> allow) : allow_(std::move(allow)) {}

  // Ok for a public address or one inside an allow-listed network; else a kPermanent error of
  // class "ssrf" that names the address and why it is refused.
  [[nodiscard]] Result<void> Check(const boost::asio::ip::address& address) const;

 private:
  std::vector<Cidr> allow_;
};

}  // namespace tributary::fetcher
