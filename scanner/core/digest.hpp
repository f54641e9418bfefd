// Digests: SHA-256 for evidence (roster, policies, files) and an order-independent digest for
// snapshot contents, so the same data read in a different order is recognised as unchanged.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rollcall {

// Incremental SHA-256. hex() may be called once, after the last update().
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view bytes);
  std::string hex();

 private:
  void* ctx_;
};

std::string sha256_hex(std::string_view bytes);

// A multiset digest: add() each record's canonical bytes in any order; equal multisets of
// records give equal hex(). Two independent 64-bit hashes per record, summed, so reordering
// does not change it; 128 bits make an accidental collision negligible. Not for adversaries:
// it detects "unchanged", the evidence hash is separate.
class MultisetDigest {
 public:
  void add(std::string_view record);
  std::string hex() const;  // 32 hex chars
  std::uint64_t count() const { return count_; }

 private:
  std::uint64_t a_ = 0;
  std::uint64_t b_ = 0;
  std::uint64_t count_ = 0;
};

}  // namespace rollcall
