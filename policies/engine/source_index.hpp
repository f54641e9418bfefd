// SourceIndex: the string literals and `name =` keys of one policy file with their lines, so
// provenance can point at the line an entitlement is written on. A Lua table constructor has no
// per-element line information at run time, hence this light lexical scan of the text (comments
// and long brackets are skipped; it is not a parser). Internal to policies/engine.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rollcall::policy::detail {

class SourceIndex {
 public:
  SourceIndex() = default;
  explicit SourceIndex(std::string_view text);

  // The line of the first string literal equal to `literal` within lines [from, to]; when
  // `after_key` is given, literals after the first `after_key =` in that range are preferred.
  // 0 when there is none (the value was computed, not written).
  int literal_line(std::string_view literal, int from, int to, std::string_view after_key = {}) const;
  // The line of the first `key =` within lines [from, to]; 0 when there is none.
  int key_line(std::string_view key, int from, int to) const;

 private:
  enum class Kind { literal, key };
  struct Token {
    Kind kind;
    int line;
    std::string text;
  };
  std::size_t first_at_or_after(int line) const;
  std::vector<Token> tokens_;  // in file order
};

}  // namespace rollcall::policy::detail
