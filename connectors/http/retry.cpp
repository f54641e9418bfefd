#include "connectors/http/retry.hpp"

#include <time.h>

#include <algorithm>
#include <charconv>
#include <random>
#include <thread>

#include "connectors/http/url.hpp"
#include "scanner/core/redact.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::http {
namespace {

using std::chrono::milliseconds;

std::optional<std::int64_t> parse_int(std::string_view text) {
  text = trim(text);
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// "Wed, 21 Oct 2015 07:28:00 GMT" (RFC 9110 IMF-fixdate).
std::optional<UnixTime> parse_http_date(const std::string& text) {
  struct tm tm {};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return static_cast<UnixTime>(timegm(&tm));
}

// A rate-limit window's reset (epoch seconds) and the header that gave it. GitHub spells the
// headers X-RateLimit-*, Okta X-Rate-Limit-*. `used_up`: only when Remaining is 0 (a 2xx or
// 403 says the quota is spent); otherwise (a 429, which says so by itself) the reset is enough.
struct Reset {
  UnixTime at = 0;
  const char* header = "";
};
std::optional<Reset> rate_limit_reset(const Response& r, bool used_up = true) {
  for (auto [remaining_name, reset_name] : {std::pair{"X-RateLimit-Remaining", "X-RateLimit-Reset"},
                                            std::pair{"X-Rate-Limit-Remaining", "X-Rate-Limit-Reset"}}) {
    const std::string* remaining = r.header(remaining_name);
    const std::string* reset = r.header(reset_name);
    if (reset == nullptr) continue;
    if (used_up && (remaining == nullptr || parse_int(*remaining) != 0)) continue;
    if (auto at = parse_int(*reset)) return Reset{*at, reset_name};
  }
  return std::nullopt;
}

milliseconds until(UnixTime t, UnixTime now) {
  // At least a second: the reset instant itself may still be refused.
  return milliseconds(std::max<std::int64_t>(1, t - now + 1) * 1000);
}

}  // namespace

void ThreadSleeper::sleep_for(milliseconds duration) { std::this_thread::sleep_for(duration); }

std::function<double()> default_random() {
  struct State {
    std::mutex mutex;
    std::mt19937_64 engine{std::random_device{}()};
    std::uniform_real_distribution<double> dist{0.0, 1.0};
  };
  auto state = std::make_shared<State>();
  return [state] {
    std::lock_guard<std::mutex> lock(state->mutex);
    return state->dist(state->engine);
  };
}

std::optional<milliseconds> retry_after(const Response& response, UnixTime now) {
  const std::string* value = response.header("Retry-After");
  if (value == nullptr) return std::nullopt;
  if (auto secs = parse_int(*value)) return milliseconds(std::max<std::int64_t>(0, *secs) * 1000);
  if (auto date = parse_http_date(std::string(trim(*value)))) {
    return milliseconds(std::max<std::int64_t>(0, *date - now) * 1000);
  }
  return std::nullopt;
}

RetryAdvice advise(const Response& response, UnixTime now, bool write) {
  RetryAdvice a;
  int s = response.status;
  auto server_wait = [&](bool used_up = true) -> std::optional<milliseconds> {
    if (auto ra = retry_after(response, now)) return ra;
    if (auto reset = rate_limit_reset(response, used_up)) return until(reset->at, now);
    return std::nullopt;
  };
  if (s == 429) {
    a.retry = true;
    a.server_wait = server_wait(false);
    a.reason = "HTTP 429 (rate limited)";
  } else if (s == 403) {
    // GitHub signals its rate limits with 403 too; every other 403 is a permission problem.
    if (auto wait = server_wait()) {
      a.retry = true;
      a.server_wait = wait;
      a.reason = "HTTP 403 (rate limited)";
    } else if (to_lower(response.body).find("secondary rate limit") != std::string::npos) {
      a.retry = true;
      a.secondary_limit = true;
      a.reason = "HTTP 403 (secondary rate limit)";
    }
  } else if (!write && (s == 408 || (s >= 500 && s <= 599 && s != 501 && s != 505))) {
    a.retry = true;
    a.server_wait = retry_after(response, now);
    a.reason = "HTTP " + std::to_string(s);
  }
  return a;
}

std::string describe_wait(milliseconds wait) {
  auto ms = wait.count();
  if (ms < 1000) return std::to_string(ms) + "ms";
  auto s = ms / 1000;
  if (s < 60) {
    std::string out = std::to_string(s);
    if (auto tenths = (ms % 1000) / 100; tenths != 0) {
      out += '.';
      out += std::to_string(tenths);
    }
    return out + "s";
  }
  if (s < 3600) return std::to_string(s / 60) + "m" + (s % 60 != 0 ? std::to_string(s % 60) + "s" : "");
  return std::to_string(s / 3600) + "h" + (s % 3600 / 60 != 0 ? std::to_string(s % 3600 / 60) + "m" : "");
}

std::string scrub_secrets(std::string text, const Request& request) {
  Redactor redactor;
  for (const auto& h : request.secret_headers) {
    redactor.add_header_value(h.value.reveal());
    for (const Secret& part : h.parts) redactor.add(part.reveal());
  }
  return redactor.redact(text);
}

RetryingTransport::RetryingTransport(std::unique_ptr<Transport> inner, RetryPolicy policy,
                                     RetryContext context)
    : inner_(std::move(inner)), policy_(policy), ctx_(std::move(context)) {}

Result<Response> RetryingTransport::send(const Request& request) {
  const std::string target =
      request.log_target.empty() ? scrub_secrets(loggable_target(request.url), request) : request.log_target;
  const std::string what = std::string(to_string(request.method)) + " " + target;
  milliseconds waited{0};
  const int max_attempts = std::max(1, policy_.max_attempts);
  const bool write = request.method != Method::get && !request.read_only && !policy_.retry_writes;

  auto sleep = [&](milliseconds wait) {
    if (wait.count() > 0) ctx_.sleeper.sleep_for(wait);
    waited += wait;
  };

  for (int attempt = 1;; ++attempt) {
    // A used-up quota holds back every request until its reset.
    UnixTime hold;
    std::string hold_name;
    {
      std::lock_guard<std::mutex> lock(hold_mutex_);
      hold = hold_until_;
      hold_name = hold_header_;
    }
    if (hold != 0) {
      UnixTime now = ctx_.clock.now();
      if (now < hold) {
        milliseconds wait = until(hold, now);
        if (waited + wait > policy_.max_total_wait) {
          return fail("the API rate limit is used up until " + format_iso8601(hold) + " (" + hold_name +
                      "), longer than the retry wait budget (" + describe_wait(policy_.max_total_wait) + ") allows");
        }
        ctx_.log.info(ctx_.system + ": API rate limit used up; waiting " + describe_wait(wait) +
                      " until " + format_iso8601(hold) + " (" + hold_name + ")");
        sleep(wait);
      }
      std::lock_guard<std::mutex> lock(hold_mutex_);
      if (hold_until_ == hold) hold_until_ = 0;
    }

    if (policy_.min_interval.count() > 0) {
      // Reserve the next slot under the lock, wait for it outside: threads queue up in turn.
      auto now = std::chrono::steady_clock::now();
      std::chrono::steady_clock::time_point slot;
      {
        std::lock_guard<std::mutex> lock(pace_mutex_);
        slot = std::max(now, next_send_);
        next_send_ = slot + policy_.min_interval;
      }
      if (slot > now) ctx_.sleeper.sleep_for(std::chrono::ceil<milliseconds>(slot - now));
    }

    auto t0 = std::chrono::steady_clock::now();
    Result<Response> result = inner_->send(request);
    auto took = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - t0);
    const bool logging = ctx_.log.enabled(LogLevel::debug);
    std::string timing =
        logging ? " (" + std::to_string(took.count()) + " ms, attempt " + std::to_string(attempt) + ")" : "";

    std::string reason;
    RetryAdvice advice;
    if (result) {
      result->attempts = attempt;
      if (logging) ctx_.log.debug(ctx_.system + ": " + what + " -> " + std::to_string(result->status) + timing);
      UnixTime now = ctx_.clock.now();
      std::optional<RetryAdvice> own = policy_.classify ? policy_.classify(*result, write) : std::nullopt;
      advice = own ? *own : advise(*result, now, write);
      if (!advice.retry) {
        if (auto reset = rate_limit_reset(*result); reset && reset->at > now) {
          std::lock_guard<std::mutex> lock(hold_mutex_);
          hold_until_ = std::max(hold_until_, reset->at);
          hold_header_ = reset->header;
        }
        return result;
      }
      reason = advice.reason;
    } else {
      std::string message = scrub_secrets(result.error().message(), request);
      if (logging) ctx_.log.debug(ctx_.system + ": " + what + " -> failed: " + message + timing);
      reason = message;
      if (write) return fail(message);  // it may have taken effect: the caller reads, then decides
      if (attempt >= max_attempts) {
        if (attempt == 1) return fail(message);
        return fail(message + " (gave up after " + std::to_string(attempt) + " attempts)");
      }
    }
    if (attempt >= max_attempts) return result;  // a retryable status, out of attempts

    milliseconds wait;
    if (advice.server_wait) {
      wait = *advice.server_wait;
      if (waited + wait > policy_.max_total_wait) {
        return fail(reason + ": the server asks to wait " + describe_wait(wait) +
                    ", longer than the retry wait budget (" + describe_wait(policy_.max_total_wait) +
                    ") allows");
      }
    } else {
      auto cap = std::min<std::int64_t>(policy_.max_delay.count(),
                                        policy_.base_delay.count() << std::min(attempt - 1, 20));
      wait = milliseconds(static_cast<std::int64_t>(ctx_.random() * static_cast<double>(cap)));
      if (advice.secondary_limit) wait += policy_.secondary_limit_delay;
      if (result && result->status == 429) wait = std::max(wait, policy_.rate_limit_wait);
    }
    if (waited + wait > policy_.max_total_wait) {
      if (result) return result;
      return fail(reason + " (gave up after " + std::to_string(attempt) +
                  " attempts: the retry wait budget is spent)");
    }
    ctx_.log.info(ctx_.system + ": " + what + ": " + reason + "; retrying after " +
                  describe_wait(wait) + " (attempt " + std::to_string(attempt + 1) + " of " +
                  std::to_string(max_attempts) + ")");
    sleep(wait);
  }
}

}  // namespace rollcall::http
