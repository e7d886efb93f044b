#pragma once
// SHA-256, the one digest of the project: content hashes (parser, embedder passages), request
// ids of child fetches, migration checksums, model weight files. OpenSSL underneath; its
// algorithm is fetched once per process (OpenSSL 3 looks it up by name, with locks, on every
// EVP_sha256() digest) and each thread reuses one context, so a digest costs no allocation.
#include <string>
#include <string_view>

namespace tributary::digest {

// An incremental digest on this thread's context: one at a time per thread (a second one
// started before the first finishes aborts, rather than mixing their inputs).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  Sha256& Add(std::string_view bytes);
  // The 32-byte digest. The object is spent afterwards.
  std::string Finish();

 private:
  bool finished_ = false;
};

std::string Sha256Of(std::string_view bytes);     // 32 raw bytes
std::string Sha256HexOf(std::string_view bytes);  // 64 lowercase hex digits
std::string Hex(std::string_view bytes);          // lowercase, two digits per byte

}  // namespace tributary::digest
