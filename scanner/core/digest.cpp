#include "scanner/core/digest.hpp"

#include <openssl/evp.h>

#include <cstdio>

namespace rollcall {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr);
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256::update(std::string_view bytes) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), bytes.data(), bytes.size());
}

std::string Sha256::hex() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), md, &len);
  std::string out;
  out.reserve(len * 2);
  char buf[3];
  for (unsigned i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", md[i]);
    out += buf;
  }
  return out;
}

std::string sha256_hex(std::string_view bytes) {
  Sha256 h;
  h.update(bytes);
  return h.hex();
}

namespace {

// 64-bit finalizer (splitmix64): spreads every input bit over the output.
std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// Two differently-seeded passes over the bytes, 8 bytes at a time.
void hash2(std::string_view s, std::uint64_t& h1, std::uint64_t& h2) {
  h1 = 0x9e3779b97f4a7c15ULL ^ s.size();
  h2 = 0xc2b2ae3d27d4eb4fULL + s.size();
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w = 0;
    for (int k = 0; k < 8; ++k) w |= static_cast<std::uint64_t>(static_cast<unsigned char>(s[i + k])) << (8 * k);
    h1 = mix(h1 ^ w) * 0x100000001b3ULL;
    h2 = mix(h2 + w + 0x165667b19e3779f9ULL);
  }
  std::uint64_t w = 0;
  for (int k = 0; i < s.size(); ++i, ++k) w |= static_cast<std::uint64_t>(static_cast<unsigned char>(s[i])) << (8 * k);
  h1 = mix(h1 ^ w ^ 0xff51afd7ed558ccdULL);
  h2 = mix(h2 + w + 0xc4ceb9fe1a85ec53ULL);
}

}  // namespace

void MultisetDigest::add(std::string_view record) {
  std::uint64_t h1, h2;
  hash2(record, h1, h2);
  a_ += h1;
  b_ += h2;
  ++count_;
}

std::string MultisetDigest::hex() const {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(a_ ^ mix(count_)),
                static_cast<unsigned long long>(b_));
  return buf;
}

}  // namespace rollcall
