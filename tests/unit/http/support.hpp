// Test helpers for the HTTP layer and the HTTP connectors (unit and integration tests):
// a scripted Transport, a sleeper that records instead of sleeping, a RecordSink that
// collects, and a builder for [[system]] configs as rollcall.toml would produce them.
#pragma once

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "connectors/api/connector.hpp"
#include "connectors/http/retry.hpp"
#include "connectors/http/transport_factory.hpp"
#include "connectors/http/url.hpp"

namespace rollcall::testing {

// Records every requested wait; never sleeps.
class RecordingSleeper final : public http::Sleeper {
 public:
  void sleep_for(std::chrono::milliseconds d) override {
    std::lock_guard<std::mutex> lock(mutex_);
    waits_.push_back(d);
  }
  std::vector<std::chrono::milliseconds> waits() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return waits_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::chrono::milliseconds> waits_;
};

// A Transport that answers from a script: per "METHOD /path?query" target a queue of replies
// (the last one repeats). Unscripted requests fail and are listed in unscripted().
class FakeTransport final : public http::Transport {
 public:
  struct Reply {
    int status = 200;
    std::string body;
    std::vector<http::Header> headers;
    std::string network_error;  // when set, send() fails with it
  };

  void on(const std::string& target, std::vector<Reply> replies) {
    std::lock_guard<std::mutex> lock(mutex_);
    script_[target] = std::deque<Reply>(replies.begin(), replies.end());
  }
  void on(const std::string& target, Reply reply) { on(target, std::vector<Reply>{std::move(reply)}); }

  Result<http::Response> send(const http::Request& request) override {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string target = std::string(http::to_string(request.method)) + " " + path_of(request.url);
    sent_.push_back(request);
    auto it = script_.find(target);
    if (it == script_.end() || it->second.empty()) {
      unscripted_.push_back(target);
      return fail("no scripted reply for " + target);
    }
    Reply r = it->second.front();
    if (it->second.size() > 1) it->second.pop_front();
    if (!r.network_error.empty()) return fail(r.network_error);
    http::Response resp;
    resp.status = r.status;
    resp.body = r.body;
    resp.headers = r.headers;
    return resp;
  }

  std::vector<http::Request> sent() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return sent_;
  }
  std::vector<std::string> targets() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> out;
    for (const auto& r : sent_) out.push_back(std::string(http::to_string(r.method)) + " " + path_of(r.url));
    return out;
  }
  std::vector<std::string> unscripted() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return unscripted_;
  }

  static std::string path_of(const std::string& url) {
    auto u = http::parse_url(url);
    if (!u) return url;
    return u->path + (u->query.empty() ? "" : "?" + u->query);
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::deque<Reply>> script_;
  std::vector<http::Request> sent_;
  std::vector<std::string> unscripted_;
};

// Forwards to a transport it does not own (so a test can keep inspecting it).
class BorrowedTransport final : public http::Transport {
 public:
  explicit BorrowedTransport(http::Transport& inner) : inner_(inner) {}
  Result<http::Response> send(const http::Request& r) override { return inner_.send(r); }

 private:
  http::Transport& inner_;
};

// Hands out RetryingTransports over one shared FakeTransport, with recorded waits and a
// fixed jitter draw (so a backoff wait is exactly half its cap).
class FakeTransportFactory final : public http::TransportFactory {
 public:
  FakeTransport transport;
  RecordingSleeper sleeper;
  http::TransportOptions last_options;

  Result<std::unique_ptr<http::Transport>> create(const http::TransportOptions& options, Logger& log,
                                                  const Clock& clock) override {
    last_options = options;
    return std::unique_ptr<http::Transport>(std::make_unique<http::RetryingTransport>(
        std::make_unique<BorrowedTransport>(transport), options.retry,
        http::RetryContext{options.system, log, clock, sleeper, [] { return 0.5; }}));
  }
};

// Collects what a connector emits; rejects duplicate ids like the store does.
struct Collector final : RecordSink {
  std::vector<Account> accounts;
  std::vector<Entitlement> entitlements;
  std::vector<Grant> grants;
  std::vector<Credential> credentials;

  Result<void> account(const Account& a) override {
    if (!account_ids_.insert(a.id).second) return fail("duplicate account id \"" + a.id + "\"");
    accounts.push_back(a);
    return {};
  }
  Result<void> entitlement(const Entitlement& e) override {
    if (!entitlement_ids_.insert(e.id).second) return fail("duplicate entitlement id \"" + e.id + "\"");
    entitlements.push_back(e);
    return {};
  }
  Result<void> grant(const Grant& g) override {
    if (!grant_keys_.insert(g.account_id + "|" + g.entitlement_id + "|" + g.via).second) {
      return fail("duplicate grant " + g.account_id + " " + g.entitlement_id + " via " + g.via);
    }
    grants.push_back(g);
    return {};
  }
  Result<void> credential(const Credential& c) override {
    if (!grant_keys_.insert("credential|" + c.account_id + "|" + c.id).second) {
      return fail("duplicate credential " + c.id + " of " + c.account_id);
    }
    credentials.push_back(c);
    return {};
  }

  const Account* find_account(const std::string& id) const {
    for (const auto& a : accounts) {
      if (a.id == id) return &a;
    }
    return nullptr;
  }
  // "account entitlement level via" lines, sorted: easy to compare whole.
  std::vector<std::string> grant_lines() const {
    std::vector<std::string> out;
    for (const auto& g : grants) out.push_back(g.account_id + " " + g.entitlement_id + " " + g.level + " " + g.via);
    std::sort(out.begin(), out.end());
    return out;
  }
  std::vector<std::string> entitlement_ids() const {
    std::vector<std::string> out;
    for (const auto& e : entitlements) out.push_back(e.id);
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::set<std::string> account_ids_, entitlement_ids_, grant_keys_;
};

// A [[system]] table as rollcall.toml line 1.. would give it: name on line 2, type on line 3,
// then each key on the next line.
inline config::SystemConfig system_config(const std::string& name, const std::string& type,
                                          const std::vector<std::pair<std::string, config::Value>>& keys,
                                          std::int64_t timeout_s = 60) {
  config::SystemConfig s;
  s.name = name;
  s.type = type;
  s.timeout_s = timeout_s;
  s.where = "rollcall.toml:1";
  s.keys = config::Table("rollcall.toml", 1);
  s.keys.set("name", name, 2);
  s.keys.set("type", type, 3);
  int line = 4;
  for (const auto& [k, v] : keys) s.keys.set(k, v, line++);
  return s;
}

// A ConnectorEnv with a capturing logger, a fixed clock, the given environment variables and
// the given transport factory; creates and runs connectors of one type.
class ConnectorFixture {
 public:
  ConnectorFixture(http::TransportFactory& factory, std::map<std::string, std::string> env_vars)
      : secrets(SecretSource::from_map(std::move(env_vars))), factory_(factory) {}

  CapturingLogger log{LogLevel::debug};
  FixedClock clock{1'800'000'000};
  SecretSource secrets;

  connectors::ConnectorEnv env() {
    connectors::ConnectorEnv e{secrets, log, clock, "/work/ws"};
    e.http = &factory_;
    return e;
  }
  Result<std::unique_ptr<connectors::Connector>> create(const connectors::ConnectorType& type,
                                                        const config::SystemConfig& system) {
    return type.create(system, env());
  }
  // Creates the connector and fetches into `sink`; the error of either step.
  Result<void> fetch(const connectors::ConnectorType& type, const config::SystemConfig& system, RecordSink& sink) {
    RC_ASSIGN(auto connector, create(type, system));
    return connector->fetch(sink);
  }

 private:
  http::TransportFactory& factory_;
};

}  // namespace rollcall::testing
