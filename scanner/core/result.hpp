// Error and Result<T>: how every expected failure travels in rollcall.
//
// An Error is one human-readable line. Each layer that passes an error up prefixes what it was
// doing ("system \"github\": GET /orgs/acme/members page 3: HTTP 403: ..."), so the user reads
// one line that explains itself. Result<T> holds either a T or an Error and must not be ignored.
// Exceptions are used only at third-party edges and converted to Error there.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace rollcall {

class Error {
 public:
  explicit Error(std::string message) : message_(std::move(message)) {}

  const std::string& message() const { return message_; }

  // Returns a copy whose message is "<what>: <message>".
  Error context(const std::string& what) const { return Error(what + ": " + message_); }

 private:
  std::string message_;
};

// Marks the failure branch when constructing a Result: `return fail("bad row")`.
struct Failure {
  Error error;
};
inline Failure fail(std::string message) { return Failure{Error(std::move(message))}; }
inline Failure fail(Error error) { return Failure{std::move(error)}; }

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Failure f) : v_(std::in_place_index<1>, std::move(f.error)) {}  // NOLINT
  Result(Error e) : v_(std::in_place_index<1>, std::move(e)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(v_); }
  // The error with "<what>: " prepended, for passing up a layer.
  Failure context(const std::string& what) const { return Failure{error().context(what)}; }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Failure f) : error_(std::move(f.error)), ok_(false) {}  // NOLINT
  Result(Error e) : error_(std::move(e)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { assert(!ok_); return error_; }
  Failure context(const std::string& what) const { return Failure{error_.context(what)}; }

 private:
  Error error_{""};
  bool ok_ = true;
};

}  // namespace rollcall

// Propagates a failed Result<void>/Result<T> expression out of the enclosing function.
#define RC_TRY(expr)                                   \
  do {                                                 \
    auto rc_try_result_ = (expr);                      \
    if (!rc_try_result_.ok()) return ::rollcall::fail(rc_try_result_.error()); \
  } while (0)

#define RC_CONCAT_INNER(a, b) a##b
#define RC_CONCAT(a, b) RC_CONCAT_INNER(a, b)
// `RC_ASSIGN(auto rows, read_rows(path));` declares rows from a successful Result or returns.
#define RC_ASSIGN(decl, expr) RC_ASSIGN_IMPL(RC_CONCAT(rc_assign_, __LINE__), decl, expr)
#define RC_ASSIGN_IMPL(tmp, decl, expr)                   \
  auto tmp = (expr);                                      \
  if (!tmp.ok()) return ::rollcall::fail(tmp.error());    \
  decl = std::move(tmp).value()
