#include "services/fetcher/address_policy.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cstdint>

namespace tributary::fetcher {
namespace {

namespace ip = boost::asio::ip;

using Bytes16 = ip::address_v6::bytes_type;

constexpr std::uint32_t V4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  return (std::uint32_t{a} << 24U) | (std::uint32_t{b} << 16U) | (std::uint32_t{c} << 8U) | d;
}

bool InV4(std::uint32_t address, std::uint32_t network, int prefix) {
  if (prefix == 0) return true;
  const std::uint32_t mask = ~std::uint32_t{0} << static_cast<unsigned>(32 - prefix);
  return (address & mask) == (network & mask);
}

AddressClass ClassifyV4(std::uint32_t a) {
  struct Range {
    std::uint32_t network;
    int prefix;
    AddressClass cls;
  };
  // Most specific first: the metadata address sits inside link-local, 0.0.0.0 inside 0/8.
  static constexpr std::array<Range, 20> kRanges{{
      {V4(0, 0, 0, 0), 32, AddressClass::kUnspecified},
      {V4(255, 255, 255, 255), 32, AddressClass::kBroadcast},
      {V4(169, 254, 169, 254), 32, AddressClass::kMetadata},
      {V4(0, 0, 0, 0), 8, AddressClass::kThisNetwork},
      {V4(10, 0, 0, 0), 8, AddressClass::kPrivate},
      {V4(100, 64, 0, 0), 10, AddressClass::kCgnat},
      {V4(127, 0, 0, 0), 8, AddressClass::kLoopback},
      {V4(169, 254, 0, 0), 16, AddressClass::kLinkLocal},
      {V4(172, 16, 0, 0), 12, AddressClass::kPrivate},
      {V4(192, 0, 0, 0), 24, AddressClass::kReserved},  // IETF protocol assignments
      {V4(192, 0, 2, 0), 24, AddressClass::kDocumentation},
      {V4(192, 31, 196, 0), 24, AddressClass::kReserved},  // AS112-v4
      {V4(192, 52, 193, 0), 24, AddressClass::kReserved},  // AMT
      {V4(192, 88, 99, 0), 24, AddressClass::kReserved},   // deprecated 6to4 relay anycast
      {V4(192, 168, 0, 0), 16, AddressClass::kPrivate},
      {V4(198, 18, 0, 0), 15, AddressClass::kBenchmarking},
      {V4(198, 51, 100, 0), 24, AddressClass::kDocumentation},
      {V4(203, 0, 113, 0), 24, AddressClass::kDocumentation},
      {V4(224, 0, 0, 0), 4, AddressClass::kMulticast},
      {V4(240, 0, 0, 0), 4, AddressClass::kReserved},
  }};
  for (const auto& range : kRanges) {
    if (InV4(a, range.network, range.prefix)) return range.cls;
  }
  return AddressClass::kPublic;
}

bool InV6(const Bytes16& address, const Bytes16& network, int prefix) {
  for (int bit = 0; bit < prefix; bit += 8) {
    const int bits = std::min(8, prefix - bit);
    const auto mask = static_cast<std::uint8_t>(0xFFU << static_cast<unsigned>(8 - bits));
    const auto i = static_cast<std::size_t>(bit / 8);
    if ((address[i] & mask) != (network[i] & mask)) return false;
  }
  return true;
}

Bytes16 Net6(std::initializer_list<std::uint8_t> prefix_bytes) {
  Bytes16 bytes{};
  std::size_t i = 0;
  for (auto b : prefix_bytes) bytes[i++] = b;
  return bytes;
}

std::uint32_t EmbeddedV4(const Bytes16& bytes, std::size_t at) {
  return V4(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}

AddressClass ClassifyV6(const ip::address_v6& address) {
  const auto b = address.to_bytes();
  if (address.is_unspecified()) return AddressClass::kUnspecified;
  if (address.is_loopback()) return AddressClass::kLoopback;
  // ::ffff:0:0/96 (mapped) and 64:ff9b::/96 (well-known NAT64 prefix) carry a v4 address in
  // their last four bytes; 2002::/16 (6to4) carries one in bytes 2-5.
  if (address.is_v4_mapped()) return ClassifyV4(EmbeddedV4(b, 12));
  if (InV6(b, Net6({0x00, 0x64, 0xff, 0x9b}), 96)) return ClassifyV4(EmbeddedV4(b, 12));
  if (InV6(b, Net6({0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}), 48)) return AddressClass::kPrivate;
  if (InV6(b, Net6({0x20, 0x02}), 16)) return ClassifyV4(EmbeddedV4(b, 2));
  if (b == Net6({0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54})) {
    return AddressClass::kMetadata;
  }
  if (InV6(b, Net6({0xff}), 8)) return AddressClass::kMulticast;
  if (InV6(b, Net6({0xfe, 0x80}), 10)) return AddressClass::kLinkLocal;
  if (InV6(b, Net6({0xfe, 0xc0}), 10)) return AddressClass::kPrivate;  // deprecated site-local
  if (InV6(b, Net6({0xfc}), 7)) return AddressClass::kUniqueLocal;
  if (InV6(b, Net6({0x20, 0x01, 0x0d, 0xb8}), 32)) return AddressClass::kDocumentation;
  if (InV6(b, Net6({0x20, 0x01, 0x00, 0x00}), 32)) return AddressClass::kTeredo;
  if (InV6(b, Net6({0x20, 0x01, 0x00, 0x02, 0x00, 0x00}), 48)) return AddressClass::kBenchmarking;
  if (InV6(b, Net6({0x20, 0x01}), 23)) return AddressClass::kReserved;  // IETF assignments
  // Everything outside global unicast 2000::/3 (the v4-compatible ::/96, discard-only 100::/64,
  // unassigned space) is not a web server on the internet.
  if (!InV6(b, Net6({0x20}), 3)) return AddressClass::kReserved;
  return AddressClass::kPublic;
}

// One inet_aton part: 0x/0X hex, 0-prefixed octal, else decimal. Nothing on any other text.
std::optional<std::uint64_t> ParsePart(std::string_view part) {
  if (part.empty()) return std::nullopt;
  int base = 10;
  if (part.size() >= 2 && part[0] == '0' && (part[1] == 'x' || part[1] == 'X')) {
    base = 16;
    part.remove_prefix(2);
    if (part.empty()) return 0;  // inet_aton reads a bare "0x" as zero
  } else if (part.size() > 1 && part[0] == '0') {
    base = 8;
    part.remove_prefix(1);
  }
  if (part.size() > 16) return std::nullopt;  // would overflow; no valid part is this long
  std::uint64_t value = 0;
  const auto* end = part.data() + part.size();
  const auto [ptr, ec] = std::from_chars(part.data(), end, value, base);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::optional<ip::address_v4> ParseInetAton(std::string_view text) {
  std::array<std::uint64_t, 4> parts{};
  std::size_t count = 0;
  while (true) {
    const auto dot = text.find('.');
    if (count == parts.size()) return std::nullopt;
    const auto part = ParsePart(text.substr(0, dot));
    if (!part) return std::nullopt;
    parts[count++] = *part;
    if (dot == std::string_view::npos) break;
    text.remove_prefix(dot + 1);
  }
  // All parts but the last are single bytes; the last fills the remaining (5 - count) bytes.
  for (std::size_t i = 0; i + 1 < count; ++i) {
    if (parts[i] > 0xFF) return std::nullopt;
  }
  const auto last_bits = 8U * static_cast<unsigned>(5 - count);
  if (parts[count - 1] >= (std::uint64_t{1} << last_bits)) return std::nullopt;
  std::uint32_t value = 0;
  for (std::size_t i = 0; i + 1 < count; ++i) {
    value |= static_cast<std::uint32_t>(parts[i]) << (24U - 8U * static_cast<unsigned>(i));
  }
  value |= static_cast<std::uint32_t>(parts[count - 1]);
  return ip::address_v4(value);
}

}  // namespace

std::string_view ToString(AddressClass value) {
  switch (value) {
    case AddressClass::kPublic: return "public";
    case AddressClass::kUnspecified: return "unspecified";
    case AddressClass::kThisNetwork: return "this-network";
    case AddressClass::kLoopback: return "loopback";
    case AddressClass::kPrivate: return "private";
    case AddressClass::kCgnat: return "cgnat";
    case AddressClass::kLinkLocal: return "link-local";
    case AddressClass::kMetadata: return "metadata";
    case AddressClass::kMulticast: return "multicast";
    case AddressClass::kBroadcast: return "broadcast";
    case AddressClass::kDocumentation: return "documentation";
    case AddressClass::kBenchmarking: return "benchmarking";
    case AddressClass::kReserved: return "reserved";
    case AddressClass::kUniqueLocal: return "unique-local";
    case AddressClass::kTeredo: return "teredo";
  }
  return "unknown";
}

AddressClass Classify(const ip::address& address) {
  if (address.is_v4()) return ClassifyV4(address.to_v4().to_uint());
  return ClassifyV6(address.to_v6());
}

std::optional<ip::address> ParseHostLiteral(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.find(':') != std::string_view::npos) {
    boost::system::error_code ec;
    auto v6 = ip::make_address_v6(std::string(host), ec);
    if (ec) return std::nullopt;
    return ip::address(v6);
  }
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (auto v4 = ParseInetAton(host)) return ip::address(*v4);
  return std::nullopt;
}

bool Cidr::Contains(const ip::address& address) const {
  if (network.is_v4() && address.is_v6() && address.to_v6().is_v4_mapped()) {
    return Contains(ip::make_address_v4(ip::v4_mapped, address.to_v6()));
  }
  if (network.is_v4() != address.is_v4()) return false;
  if (network.is_v4()) return InV4(address.to_v4().to_uint(), network.to_v4().to_uint(), prefix);
  return InV6(address.to_v6().to_bytes(), network.to_v6().to_bytes(), prefix);
}

std::string Cidr::ToString() const { return fmt::format("{}/{}", network.to_string(), prefix); }

std::optional<Cidr> ParseCidr(std::string_view text) {
  const auto slash = text.find('/');
  boost::system::error_code ec;
  const auto network = ip::make_address(std::string(text.substr(0, slash)), ec);
  if (ec) return std::nullopt;
  const int max_prefix = network.is_v4() ? 32 : 128;
  int prefix = max_prefix;
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    const auto [ptr, perr] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (digits.empty() || perr != std::errc() || ptr != digits.data() + digits.size() ||
        prefix < 0 || prefix > max_prefix) {
      return std::nullopt;
    }
  }
  return Cidr{network, prefix};
}

Result<void> AddressPolicy::Check(const ip::address& address) const {
  for (const auto& cidr : allow_) {
    if (cidr.Contains(address)) return {};
  }
  const auto cls = Classify(address);
  if (cls == AddressClass::kPublic) return {};
  return Fail(ErrorKind::kPermanent, "ssrf",
              fmt::format("refused to connect to {} ({} address)", address.to_string(),
                          fetcher::ToString(cls)));
}

}  // namespace tributary::fetcher
