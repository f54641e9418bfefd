// FakeServer: an in-process HTTP server on 127.0.0.1 (cpp-httplib) for the HTTP connector
// tests and the SCIM benchmark. It records every request, counts the TCP connections it
// accepted (to prove keep-alive reuse), answers from exact-path routes, and injects faults:
// a status with headers (429 + Retry-After, 5xx, 401), a connection dropped in the middle of
// the body (httplib closes with FIN; transport_it_test has a raw server for a true RST), a
// truncated or non-JSON body, a slow answer.
//
// A request that matches no route is answered 501 and, when the server is destroyed, fails
// the running test with its URL — so a connector asking for something unexpected is caught.
// Thread-safe: handlers run on the server's worker threads.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

namespace rollcall::testing {

class FakeServer {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

  struct Options {
    int threads = 16;
    int port = 0;                 // 0 = any free port
    bool check_routes = true;     // fail the test on unrouted requests (off for benchmarks)
  };

  FakeServer() : FakeServer(Options{}) {}
  explicit FakeServer(Options options);
  ~FakeServer();
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  // "http://127.0.0.1:PORT"
  std::string url() const;
  int port() const { return port_; }

  // Answers GET `path` (exact, without the query) with `handler`.
  void get(const std::string& path, Handler handler);
  // Answers `method` (POST, PATCH, PUT, DELETE, GET) on `path` (exact) with `handler`; may be
  // called from a handler (a fake that creates a resource routes its new path).
  void route(const std::string& method, const std::string& path, Handler handler);
  // Answers `method` on any path starting with `prefix` that no exact route answers (the
  // longest such prefix wins): a fake's "no such resource" for ids it cannot list in advance.
  void route_prefix(const std::string& method, const std::string& prefix, Handler handler);

  enum class FaultKind { status, drop_mid_body, truncated_json, not_json, delay };
  struct Fault {
    FaultKind kind = FaultKind::status;
    std::string path;           // exact path it applies to; "" = any
    std::string query;          // the exact raw query it applies to; "" = any
    int status = 500;           // for FaultKind::status
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;           // for FaultKind::status
    std::chrono::milliseconds delay{0};  // FaultKind::delay: then the route answers
    int times = 1;              // how many matching requests it hits; -1 = all
  };
  // The next `times` requests matching path/query get the fault instead of (or, for delay,
  // before) their route's answer.
  void inject(Fault fault);

  struct Seen {
    std::string method;
    std::string path;
    std::string query;          // raw, after '?'
    std::string authorization;  // the Authorization header as received
    int connection = 0;         // which accepted connection carried it
  };
  std::vector<Seen> requests() const;
  // Requests to `path` (any query).
  std::size_t count(const std::string& path) const;
  // TCP connections accepted so far.
  int connections() const { return connections_.load(); }
  std::vector<std::string> unrouted() const;

 private:
  class CountingQueue;
  httplib::Server::HandlerResponse dispatch(const httplib::Request& req, httplib::Response& res);

  Options options_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::map<std::string, Handler> routes_;
  std::map<std::string, Handler> prefix_routes_;  // "METHOD /prefix"
  std::vector<Fault> faults_;
  std::vector<Seen> seen_;
  std::vector<std::string> unrouted_;
};

// Helpers for handlers.
void reply_json(httplib::Response& res, const std::string& body, int status = 200,
                const std::string& content_type = "application/json");
// The value of query parameter `name`, or `fallback`.
std::string param(const httplib::Request& req, const std::string& name, const std::string& fallback = "");
long long int_param(const httplib::Request& req, const std::string& name, long long fallback);

}  // namespace rollcall::testing
