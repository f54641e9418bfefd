#include "connectors/file/json_stream.hpp"

#include <cstring>
#include <vector>

namespace rollcall::connectors::file {
namespace {

class Walker {
 public:
  Walker(const char* begin, const char* end, JsonEvents& events, int max_depth)
      : begin_(begin), p_(begin), end_(end), events_(events), max_depth_(max_depth) {}

  JsonWalk run() {
    JsonWalk result;
    if (!value() || !(skip_ws(), p_ == end_ || error("unexpected data after the JSON value"))) {
      if (error_.empty()) result.stopped = true;
      else result.syntax_error = error_;
    }
    return result;
  }

 private:
  // Parses one value iteratively: `stack_` holds the open containers ('{' or '[').
  bool value() {
    bool expect_value = true;
    while (true) {
      skip_ws();
      if (expect_value) {
        if (p_ == end_) return error("unexpected end of input; expected a value");
        char c = *p_;
        if (c == '{' || c == '[') {
          if (static_cast<int>(stack_.size()) >= max_depth_) return error("nesting deeper than " + std::to_string(max_depth_) + " levels");
          ++p_;
          stack_.push_back(c);
          if (!(c == '{' ? events_.start_object() : events_.start_array())) return false;
          skip_ws();
          if (p_ < end_ && *p_ == (c == '{' ? '}' : ']')) {
            ++p_;
            stack_.pop_back();
            if (!(c == '{' ? events_.end_object() : events_.end_array())) return false;
            expect_value = false;
          } else if (c == '{') {
            if (!member_key()) return false;
          }
          continue;
        }
        if (!scalar()) return false;
        expect_value = false;
        continue;
      }
      // After a value: close containers or move to the next element.
      if (stack_.empty()) return true;
      if (p_ == end_) return error(std::string("unexpected end of input; expected ',' or '") + (stack_.back() == '{' ? '}' : ']') + "'");
      char c = *p_;
      char open = stack_.back();
      if (c == ',') {
        ++p_;
        if (open == '{' && !member_key()) return false;
        expect_value = true;
      } else if ((open == '{' && c == '}') || (open == '[' && c == ']')) {
        ++p_;
        stack_.pop_back();
        if (!(open == '{' ? events_.end_object() : events_.end_array())) return false;
      } else {
        return error(std::string("unexpected '") + printable(c) + "'; expected ',' or '" + (open == '{' ? '}' : ']') + "'");
      }
    }
  }

  // Reads `"key" :` inside an object.
  bool member_key() {
    skip_ws();
    if (p_ == end_) return error("unexpected end of input; expected a string key");
    if (*p_ != '"') return error(std::string("unexpected '") + printable(*p_) + "'; expected a string key");
    std::string_view k;
    if (!read_string(k)) return false;
    if (!events_.key(k)) return false;
    skip_ws();
    if (p_ == end_) return error("unexpected end of input; expected ':'");
    if (*p_ != ':') return error(std::string("unexpected '") + printable(*p_) + "'; expected ':'");
    ++p_;
    return true;
  }

  bool scalar() {
    char c = *p_;
    if (c == '"') {
      std::string_view s;
      return read_string(s) && events_.string(s);
    }
    if (c == 't') return literal("true") && events_.boolean(true);
    if (c == 'f') return literal("false") && events_.boolean(false);
    if (c == 'n') return literal("null") && events_.null();
    if (c == '-' || (c >= '0' && c <= '9')) {
      const char* start = p_;
      if (!read_number()) return false;
      return events_.number(std::string_view(start, static_cast<std::size_t>(p_ - start)));
    }
    return error(std::string("unexpected '") + printable(c) + "'; expected a value");
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() || std::memcmp(p_, word.data(), word.size()) != 0) {
      return error("invalid literal; expected " + std::string(word));
    }
    p_ += word.size();
    return true;
  }

  bool read_number() {
    auto digit = [&] { return p_ < end_ && *p_ >= '0' && *p_ <= '9'; };
    if (*p_ == '-') ++p_;
    if (!digit()) return error("invalid number");
    if (*p_ == '0') {
      ++p_;
    } else {
      while (digit()) ++p_;
    }
    if (p_ < end_ && *p_ == '.') {
      ++p_;
      if (!digit()) return error("invalid number");
      while (digit()) ++p_;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (!digit()) return error("invalid number");
      while (digit()) ++p_;
    }
    return true;
  }

  // Reads a string starting at the opening quote. Without escapes the view points into the
  // buffer; with escapes it points into scratch_.
  bool read_string(std::string_view& out) {
    const char* start = ++p_;
    const char* q = start;
    while (q < end_) {
      unsigned char c = static_cast<unsigned char>(*q);
      if (c == '"') {
        out = std::string_view(start, static_cast<std::size_t>(q - start));
        p_ = q + 1;
        return true;
      }
      if (c == '\\') break;
      if (c < 0x20) {
        p_ = q;
        return error("control character in a string (must be escaped)");
      }
      ++q;
    }
    if (q == end_) {
      p_ = q;
      return error("unexpected end of input in a string");
    }
    scratch_.assign(start, q);
    p_ = q;
    while (p_ < end_) {
      char c = *p_;
      if (c == '"') {
        ++p_;
        out = scratch_;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) return error("control character in a string (must be escaped)");
      if (c != '\\') {
        scratch_ += c;
        ++p_;
        continue;
      }
      if (++p_ == end_) break;
      switch (*p_++) {
        case '"': scratch_ += '"'; break;
        case '\\': scratch_ += '\\'; break;
        case '/': scratch_ += '/'; break;
        case 'b': scratch_ += '\b'; break;
        case 'f': scratch_ += '\f'; break;
        case 'n': scratch_ += '\n'; break;
        case 'r': scratch_ += '\r'; break;
        case 't': scratch_ += '\t'; break;
        case 'u': {
          unsigned cp;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            unsigned low;
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return error("unpaired UTF-16 surrogate in \\u escape");
            p_ += 2;
            if (!hex4(low)) return false;
            if (low < 0xDC00 || low > 0xDFFF) return error("unpaired UTF-16 surrogate in \\u escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return error("unpaired UTF-16 surrogate in \\u escape");
          }
          append_utf8(cp);
          break;
        }
        default:
          --p_;
          return error("invalid escape in a string");
      }
    }
    return error("unexpected end of input in a string");
  }

  bool hex4(unsigned& out) {
    out = 0;
    for (int i = 0; i < 4; ++i, ++p_) {
      if (p_ == end_) return error("unexpected end of input in a \\u escape");
      char c = *p_;
      unsigned v;
      if (c >= '0' && c <= '9') v = static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') v = static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v = static_cast<unsigned>(c - 'A' + 10);
      else return error("invalid \\u escape");
      out = out * 16 + v;
    }
    return true;
  }

  void append_utf8(unsigned cp) {
    if (cp < 0x80) {
      scratch_ += static_cast<char>(cp);
    } else if (cp < 0x800) {
      scratch_ += static_cast<char>(0xC0 | (cp >> 6));
      scratch_ += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      scratch_ += static_cast<char>(0xE0 | (cp >> 12));
      scratch_ += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      scratch_ += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      scratch_ += static_cast<char>(0xF0 | (cp >> 18));
      scratch_ += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      scratch_ += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      scratch_ += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  void skip_ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  // One byte of the input for a message: printable ASCII as it is, any other byte as \xNN, so
  // the message stays valid UTF-8 whatever the file holds (a lone 0xff, half a character).
  static std::string printable(char c) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x20 && b < 0x7f) return std::string(1, c);
    static constexpr char kHex[] = "0123456789abcdef";
    return {'\\', 'x', kHex[b >> 4], kHex[b & 0xf]};
  }

  // Records "LINE:COL: message" for the current position; lines are counted only here.
  bool error(const std::string& message) {
    int line = 1;
    const char* line_start = begin_;
    for (const char* q = begin_; q < p_; ++q) {
      if (*q == '\n') {
        ++line;
        line_start = q + 1;
      }
    }
    error_ = std::to_string(line) + ":" + std::to_string(p_ - line_start + 1) + ": " + message;
    return false;
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  JsonEvents& events_;
  int max_depth_;
  std::vector<char> stack_;
  std::string scratch_;
  std::string error_;
};

}  // namespace

JsonWalk walk_json(const char* begin, const char* end, JsonEvents& events, int max_depth) {
  return Walker(begin, end, events, max_depth).run();
}

}  // namespace rollcall::connectors::file
