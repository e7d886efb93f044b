#include "common/digest/sha256.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace tributary::digest {
namespace {

[[noreturn]] void Die(const char* why) {
  std::fprintf(stderr, "sha256: %s\n", why);
  std::abort();
}

const EVP_MD* Algorithm() {
  static const EVP_MD* const md = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
    if (fetched == nullptr) Die("OpenSSL has no SHA2-256");
    return fetched;
  }();
  return md;
}

EVP_MD_CTX* ThreadContext() {
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(
      EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!context) Die("out of memory creating a digest context");
  return context.get();
}

thread_local bool in_use = false;

}  // namespace

Sha256::Sha256() {
  if (in_use) Die("two digests at once on one thread");
  in_use = true;
  if (EVP_DigestInit_ex(ThreadContext(), Algorithm(), nullptr) != 1) Die("init failed");
}

Sha256::~Sha256() {
  if (!finished_) in_use = false;
}

Sha256& Sha256::Add(std::string_view bytes) {
  EVP_DigestUpdate(ThreadContext(), bytes.data(), bytes.size());
  return *this;
}

std::string Sha256::Finish() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int size = 0;
  if (finished_ || EVP_DigestFinal_ex(ThreadContext(), out.data(), &size) != 1) {
    Die("finish failed");
  }
  finished_ = true;
  in_use = false;
  return {reinterpret_cast<const char*>(out.data()), size};
}

std::string Sha256Of(std::string_view bytes) { return Sha256().Add(bytes).Finish(); }

std::string Sha256HexOf(std::string_view bytes) { return Hex(Sha256Of(bytes)); }

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xF]);
  }
  return out;
}

}  // namespace tributary::digest
