// RetryingTransport: a decorator that makes any Transport survive flaky networks and rate
// limits, and writes the request log.
//
// Retried, with exponential backoff and full jitter (a random wait in [0, min(max_delay,
// base_delay * 2^(attempt-1))]): network failures, 408, 429 and 5xx other than 501/505.
// Waits the server asks for win over backoff: Retry-After (seconds or an HTTP date), and
// GitHub's X-RateLimit-Remaining: 0 + X-RateLimit-Reset (epoch seconds), and the same pair as
// Okta spells it (X-Rate-Limit-Remaining, X-Rate-Limit-Reset; a 429 needs only the reset). A GitHub 403 is
// retried only when it is a rate limit (Retry-After, X-RateLimit-Remaining: 0, or a "secondary
// rate limit" message; the latter waits at least a minute); any other 401/403 is returned at
// once, as it is a configuration problem retries cannot fix. A successful response that says
// the quota is used up (X-RateLimit-Remaining: 0) holds back every later request of this
// transport until the reset time.
//
// Writes (every method but GET, unless the request is read_only) are retried only when the
// server said it did not process them: 429, GitHub's rate-limit 403s, and what the policy's
// classify hook says (AWS throttling). A write that met a network failure, a timeout, 408 or
// a 5xx may or may not have taken effect, so it is returned at once: apply reads the target
// again and retries only if the write did not happen (scanner/plan/apply.hpp).
//
// Paced, for services that publish a request rate and punish going over it (Airtable: 5
// requests per second per base, then 30 s of 429s): min_interval spaces the sends of this
// transport, retries included; a 429 that names no wait waits at least rate_limit_wait.
//
// Bounded: at most max_attempts sends per request, and at most max_total_wait of waiting in
// total; a server asking for a longer wait fails the request at once, saying so.
//
// The request log, at debug level, has one line per attempt: method, path (credential-like
// query parameters masked), status or failure, duration and attempt. Header values are never
// logged. Retries are logged at info.
//
// Thread-safe when the inner transport is; the rate-limit hold is shared by all threads.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "connectors/http/transport.hpp"
#include "scanner/core/log.hpp"
#include "scanner/core/time.hpp"

namespace rollcall::http {

// How a response should be treated by the retry loop; exposed for tests.
struct RetryAdvice {
  bool retry = false;
  std::optional<std::chrono::milliseconds> server_wait;  // what the server asked for, if it did
  bool secondary_limit = false;  // GitHub secondary limit without a wait: at least a minute
  std::string reason;                                    // "HTTP 429", "secondary rate limit", ...
};

struct RetryPolicy {
  int max_attempts = 5;
  std::chrono::milliseconds base_delay{1'000};
  std::chrono::milliseconds max_delay{30'000};          // cap of one backoff step
  std::chrono::milliseconds max_total_wait{300'000};    // all waits of one request together
  std::chrono::milliseconds secondary_limit_delay{60'000};  // GitHub: "wait at least a minute"
  std::chrono::milliseconds min_interval{0};     // between two sends; 0 = no pacing
  std::chrono::milliseconds rate_limit_wait{0};  // least wait after a 429 without Retry-After
  // The caller's writes are safe to repeat (a notification, which receivers de-duplicate by its
  // delivery id): they are retried like reads, on network failures, 408 and 5xx too.
  bool retry_writes = false;
  // An API's own way of saying "slow down" that the generic rules do not know (AWS answers
  // HTTP 400 with <Code>Throttling</Code>): consulted first for every response; nullopt = the
  // generic rules decide. `write` as for advise(). Must be thread-safe.
  std::function<std::optional<RetryAdvice>(const Response& response, bool write)> classify;
};

// Where retries wait. Tests inject one that records instead of sleeping.
class Sleeper {
 public:
  virtual ~Sleeper() = default;
  virtual void sleep_for(std::chrono::milliseconds duration) = 0;
};

class ThreadSleeper final : public Sleeper {
 public:
  void sleep_for(std::chrono::milliseconds duration) override;
};

// What the decorator borrows; all references must outlive it.
struct RetryContext {
  std::string system;              // prefixes log lines
  Logger& log;
  const Clock& clock;              // wall clock: Retry-After dates, X-RateLimit-Reset
  Sleeper& sleeper;
  std::function<double()> random;  // uniform in [0, 1), for the jitter; must be thread-safe
};

// A thread-safe uniform [0, 1) source seeded from std::random_device.
std::function<double()> default_random();

class RetryingTransport final : public Transport {
 public:
  RetryingTransport(std::unique_ptr<Transport> inner, RetryPolicy policy, RetryContext context);

  // Returns the final response (Response::attempts says how many sends it took), which may
  // still be a 4xx/5xx when attempts ran out. Fails with the last network error and
  // "(gave up after N attempts)", or when a requested wait exceeds the remaining budget.
  Result<Response> send(const Request& request) override;

 private:
  std::unique_ptr<Transport> inner_;
  RetryPolicy policy_;
  RetryContext ctx_;
  std::mutex hold_mutex_;
  UnixTime hold_until_ = 0;  // X-RateLimit-Reset of a used-up quota; 0 = none
  std::mutex pace_mutex_;
  std::chrono::steady_clock::time_point next_send_{};  // min_interval: the earliest next send
  std::string hold_header_;  // the header that set it, for messages
};

// `write`: the request was not a GET nor read_only (only rate limits are retried then).
RetryAdvice advise(const Response& response, UnixTime now, bool write = false);

// Retry-After as a wait: delta-seconds or an HTTP date relative to `now`; nullopt if absent
// or unparseable.
std::optional<std::chrono::milliseconds> retry_after(const Response& response, UnixTime now);

// "850ms", "12s", "5m", "1h30m": durations for messages.
std::string describe_wait(std::chrono::milliseconds wait);

// `text` with every secret header value of `request` replaced by "[REDACTED]", in every form
// Redactor (scanner/core/redact.hpp) knows: the credential after a scheme such as "Bearer ",
// a Basic header's decoded password, encoded, escaped, re-cased or cut.
// The header's `parts` are redacted too.
std::string scrub_secrets(std::string text, const Request& request);

}  // namespace rollcall::http
