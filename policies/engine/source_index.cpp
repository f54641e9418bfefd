#include "policies/engine/source_index.hpp"

#include <algorithm>
#include <cctype>

namespace rollcall::policy::detail {
namespace {

bool ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// At s[i] == '[': the level of a long bracket "[==[" (number of '='), or -1 when it is not one.
int long_bracket_level(std::string_view s, std::size_t i) {
  std::size_t j = i + 1;
  while (j < s.size() && s[j] == '=') ++j;
  return j < s.size() && s[j] == '[' ? static_cast<int>(j - i - 1) : -1;
}

// Skips a long bracket of `level` opening at s[i]; returns its contents and advances i and line.
std::string read_long_bracket(std::string_view s, std::size_t& i, int level, int& line) {
  i += static_cast<std::size_t>(level) + 2;
  if (i < s.size() && s[i] == '\n') {  // a first newline is not part of the contents
    ++line;
    ++i;
  }
  std::string close(static_cast<std::size_t>(level) + 2, '=');  // "]==]"
  close.front() = close.back() = ']';
  std::size_t end = s.find(close, i);
  if (end == std::string_view::npos) end = s.size();
  std::string text(s.substr(i, end - i));
  line += static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  i = std::min(s.size(), end + close.size());
  return text;
}

// Reads a quoted string opening at s[i]; simple escapes are decoded, others kept as written.
std::string read_quoted(std::string_view s, std::size_t& i, int& line) {
  char quote = s[i++];
  std::string text;
  while (i < s.size() && s[i] != quote && s[i] != '\n') {
    char c = s[i++];
    if (c != '\\' || i >= s.size()) {
      text += c;
      continue;
    }
    char e = s[i++];
    switch (e) {
      case 'n':
        text += '\n';
        break;
      case 't':
        text += '\t';
        break;
      case '\n':
        text += '\n';
        ++line;
        break;
      case 'z':
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) {
          if (s[i++] == '\n') ++line;
        }
        break;
      case '\\':
      case '"':
      case '\'':
        text += e;
        break;
      default:
        text += '\\';
        text += e;
        break;
    }
  }
  if (i < s.size() && s[i] == quote) ++i;
  return text;
}

}  // namespace

SourceIndex::SourceIndex(std::string_view s) {
  std::size_t i = 0;
  int line = 1;
  while (i < s.size()) {
    char c = s[i];
    if (c == '\n') {
      ++line;
      ++i;
    } else if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      i += 2;
      int level = i < s.size() && s[i] == '[' ? long_bracket_level(s, i) : -1;
      if (level >= 0) {
        read_long_bracket(s, i, level, line);
      } else {
        while (i < s.size() && s[i] != '\n') ++i;
      }
    } else if (c == '"' || c == '\'') {
      int at = line;
      std::string text = read_quoted(s, i, line);
      tokens_.push_back({Kind::literal, at, std::move(text)});
    } else if (c == '[' && long_bracket_level(s, i) >= 0) {
      int at = line;
      std::string text = read_long_bracket(s, i, long_bracket_level(s, i), line);
      tokens_.push_back({Kind::literal, at, std::move(text)});
    } else if (ident_start(c)) {
      std::size_t start = i;
      while (i < s.size() && ident_char(s[i])) ++i;
      std::size_t j = i;
      while (j < s.size() && (s[j] == ' ' || s[j] == '\t')) ++j;
      if (j < s.size() && s[j] == '=' && (j + 1 >= s.size() || s[j + 1] != '=')) {
        tokens_.push_back({Kind::key, line, std::string(s.substr(start, i - start))});
      }
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      while (i < s.size() && (ident_char(s[i]) || s[i] == '.')) ++i;  // 1e5, 0x1F, 3.14
    } else {
      ++i;
    }
  }
}

std::size_t SourceIndex::first_at_or_after(int line) const {
  auto it = std::lower_bound(tokens_.begin(), tokens_.end(), line,
                             [](const Token& t, int l) { return t.line < l; });
  return static_cast<std::size_t>(it - tokens_.begin());
}

int SourceIndex::key_line(std::string_view key, int from, int to) const {
  for (std::size_t k = first_at_or_after(from); k < tokens_.size() && tokens_[k].line <= to; ++k) {
    if (tokens_[k].kind == Kind::key && tokens_[k].text == key) return tokens_[k].line;
  }
  return 0;
}

int SourceIndex::literal_line(std::string_view literal, int from, int to, std::string_view after_key) const {
  if (!after_key.empty()) {
    int key_at = key_line(after_key, from, to);
    if (key_at > 0) {
      int line = literal_line(literal, key_at, to);
      if (line > 0) return line;
    }
  }
  for (std::size_t k = first_at_or_after(from); k < tokens_.size() && tokens_[k].line <= to; ++k) {
    if (tokens_[k].kind == Kind::literal && tokens_[k].text == literal) return tokens_[k].line;
  }
  return 0;
}

}  // namespace rollcall::policy::detail
