// A fast, strict, streaming JSON reader (RFC 8259) over an in-memory buffer: it walks the text
// once and reports each value to a JsonEvents handler, without building a document. Strings
// are passed as views into the buffer (or into a scratch buffer when they contain escapes), so
// a multi-gigabyte export is read in constant memory at memory-scan speed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "scanner/core/result.hpp"

namespace rollcall::connectors::file {

// Handler callbacks; returning false stops the walk (the handler keeps its own error).
// Views are valid only during the callback.
class JsonEvents {
 public:
  virtual ~JsonEvents() = default;
  virtual bool start_object() = 0;
  virtual bool end_object() = 0;
  virtual bool start_array() = 0;
  virtual bool end_array() = 0;
  virtual bool key(std::string_view name) = 0;
  virtual bool string(std::string_view value) = 0;
  virtual bool number(std::string_view literal) = 0;
  virtual bool boolean(bool value) = 0;
  virtual bool null() = 0;
};

// Outcome of a walk: ok, stopped by the handler, or a syntax error.
struct JsonWalk {
  bool stopped = false;       // the handler returned false
  std::string syntax_error;   // "LINE:COLUMN: message" when the text is not valid JSON
};

// Walks exactly one JSON value (plus surrounding whitespace) in [begin, end).
// Nesting deeper than max_depth is reported as a syntax error.
JsonWalk walk_json(const char* begin, const char* end, JsonEvents& events, int max_depth = 256);

}  // namespace rollcall::connectors::file
