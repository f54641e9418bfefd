// StringPool: interns strings as dense 32-bit ids, so the desired state of 100k people (millions
// of grants) is held as small integers instead of millions of string copies. Ids are stable;
// str() references stay valid for the pool's life. Not thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

namespace rollcall::drift {

class StringPool {
 public:
  static constexpr std::uint32_t kNone = UINT32_MAX;

  StringPool() = default;
  StringPool(const StringPool&) = delete;
  StringPool& operator=(const StringPool&) = delete;
  StringPool(StringPool&&) = default;
  StringPool& operator=(StringPool&&) = default;

  std::uint32_t intern(std::string_view s) {
    auto it = ids_.find(s);
    if (it != ids_.end()) return it->second;
    const auto id = static_cast<std::uint32_t>(strings_.size());
    const std::string& stored = strings_.emplace_back(s);
    ids_.emplace(std::string_view(stored), id);
    return id;
  }
  // The id of `s`, or kNone when it was never interned.
  std::uint32_t find(std::string_view s) const {
    auto it = ids_.find(s);
    return it == ids_.end() ? kNone : it->second;
  }
  const std::string& str(std::uint32_t id) const { return strings_[id]; }
  std::size_t size() const { return strings_.size(); }

 private:
  std::deque<std::string> strings_;  // a deque never moves its elements: the views stay valid
  std::unordered_map<std::string_view, std::uint32_t> ids_;
};

}  // namespace rollcall::drift
