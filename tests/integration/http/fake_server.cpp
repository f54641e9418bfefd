#include "tests/integration/http/fake_server.hpp"

#include <stdexcept>

#ifdef ROLLCALL_FAKE_SERVER_CATCH
#include <catch2/catch.hpp>
#endif

namespace rollcall::testing {

// Counts accepted connections: httplib enqueues one task per accepted socket.
class FakeServer::CountingQueue final : public httplib::TaskQueue {
 public:
  CountingQueue(std::size_t threads, std::atomic<int>& counter) : pool_(threads), counter_(counter) {}
  void enqueue(std::function<void()> fn) override {
    ++counter_;
    pool_.enqueue(std::move(fn));
  }
  void shutdown() override { pool_.shutdown(); }

 private:
  httplib::ThreadPool pool_;
  std::atomic<int>& counter_;
};

FakeServer::FakeServer(Options options) : options_(options) {
  server_.new_task_queue = [this] { return new CountingQueue(options_.threads, connections_); };
  server_.set_keep_alive_max_count(1'000'000);
  server_.set_keep_alive_timeout(2);
  server_.set_tcp_nodelay(true);  // else Nagle and delayed ACKs add 40 ms to every response
  // httplib reads a request's body after the pre-routing handler: requests that may carry one
  // are dispatched from catch-all handlers instead, once the body is in.
  server_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (req.method == "POST" || req.method == "PUT" || req.method == "PATCH" || req.method == "DELETE") {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    return dispatch(req, res);
  });
  auto with_body = [this](const httplib::Request& req, httplib::Response& res) { dispatch(req, res); };
  server_.Post(".*", with_body);
  server_.Put(".*", with_body);
  server_.Patch(".*", with_body);
  server_.Delete(".*", with_body);
  if (options_.port > 0) {
    port_ = server_.bind_to_port("127.0.0.1", options_.port) ? options_.port : -1;
  } else {
    port_ = server_.bind_to_any_port("127.0.0.1");
  }
  if (port_ <= 0) throw std::runtime_error("fake server: cannot bind 127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  for (int i = 0; i < 500 && !server_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

FakeServer::~FakeServer() {
  stopping_ = true;
  server_.stop();
  if (thread_.joinable()) thread_.join();
#ifdef ROLLCALL_FAKE_SERVER_CATCH
  if (options_.check_routes && std::uncaught_exceptions() == 0) {
    for (const std::string& u : unrouted()) FAIL_CHECK("fake server: no route for " << u);
  }
#endif
}

std::string FakeServer::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void FakeServer::get(const std::string& path, Handler handler) {
  std::lock_guard<std::mutex> lock(mutex_);
  routes_["GET " + path] = std::move(handler);
}

void FakeServer::route(const std::string& method, const std::string& path, Handler handler) {
  std::lock_guard<std::mutex> lock(mutex_);
  routes_[method + " " + path] = std::move(handler);
}

void FakeServer::route_prefix(const std::string& method, const std::string& prefix, Handler handler) {
  std::lock_guard<std::mutex> lock(mutex_);
  prefix_routes_[method + " " + prefix] = std::move(handler);
}

void FakeServer::inject(Fault fault) {
  std::lock_guard<std::mutex> lock(mutex_);
  faults_.push_back(std::move(fault));
}

std::vector<FakeServer::Seen> FakeServer::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return seen_;
}

std::size_t FakeServer::count(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::size_t n = 0;
  for (const auto& s : seen_) n += s.path == path ? 1 : 0;
  return n;
}

std::vector<std::string> FakeServer::unrouted() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return unrouted_;
}

httplib::Server::HandlerResponse FakeServer::dispatch(const httplib::Request& req, httplib::Response& res) {
  auto q = req.target.find('?');
  Seen seen{req.method, req.path, q == std::string::npos ? "" : req.target.substr(q + 1),
            req.get_header_value("Authorization"), req.remote_port};
  std::optional<Fault> fault;
  Handler route;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    seen_.push_back(seen);
    for (auto it = faults_.begin(); it != faults_.end(); ++it) {
      if (!it->path.empty() && it->path != req.path) continue;
      if (!it->query.empty() && it->query != seen.query) continue;
      fault = *it;
      if (it->times > 0 && --it->times == 0) faults_.erase(it);
      break;
    }
    const std::string key = req.method + " " + req.path;
    if (auto r = routes_.find(key); r != routes_.end()) {
      route = r->second;
    } else {
      std::size_t longest = 0;
      for (const auto& [prefix, handler] : prefix_routes_) {
        if (key.compare(0, prefix.size(), prefix) == 0 && prefix.size() > longest) {
          route = handler;
          longest = prefix.size();
        }
      }
    }
  }
  if (fault && fault->kind == FaultKind::delay) {
    auto until = std::chrono::steady_clock::now() + fault->delay;
    while (!stopping_ && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    fault.reset();
    if (stopping_) {
      res.status = 503;
      return httplib::Server::HandlerResponse::Handled;
    }
  }
  if (!route && !(fault && fault->kind == FaultKind::status)) {
    std::lock_guard<std::mutex> lock(mutex_);
    unrouted_.push_back(req.method + " " + req.target);
    res.status = 501;
    res.set_content("fake server: no route for " + req.method + " " + req.path, "text/plain");
    return httplib::Server::HandlerResponse::Handled;
  }
  if (!fault) {
    route(req, res);
    return httplib::Server::HandlerResponse::Handled;
  }
  httplib::Response full;
  if (route) route(req, full);
  switch (fault->kind) {
    case FaultKind::status:
      res.status = fault->status;
      for (const auto& [k, v] : fault->headers) res.set_header(k, v);
      res.set_content(fault->body, "application/json");
      break;
    case FaultKind::truncated_json:
      res.status = full.status;
      res.set_content(full.body.substr(0, full.body.size() / 2), "application/json");
      break;
    case FaultKind::not_json:
      res.status = 200;
      res.set_content("<html><body><h1>Service temporarily unavailable</h1></body></html>", "text/html");
      break;
    case FaultKind::drop_mid_body: {
      auto body = std::make_shared<std::string>(full.body.empty() ? std::string(4096, ' ') : full.body);
      res.status = full.status;
      auto* stopping = &stopping_;
      res.set_content_provider(body->size(), "application/json",
                               [body, stopping](std::size_t, std::size_t, httplib::DataSink& sink) {
                                 sink.write(body->data(), body->size() / 2);
                                 // Let the client read the first half before the connection dies.
                                 for (int i = 0; i < 5 && !*stopping; ++i) {
                                   std::this_thread::sleep_for(std::chrono::milliseconds(10));
                                 }
                                 return false;
                               });
      break;
    }
    case FaultKind::delay: break;
  }
  return httplib::Server::HandlerResponse::Handled;
}

void reply_json(httplib::Response& res, const std::string& body, int status, const std::string& content_type) {
  res.status = status;
  res.set_content(body, content_type);
}

std::string param(const httplib::Request& req, const std::string& name, const std::string& fallback) {
  return req.has_param(name) ? req.get_param_value(name) : fallback;
}

long long int_param(const httplib::Request& req, const std::string& name, long long fallback) {
  if (!req.has_param(name)) return fallback;
  try {
    return std::stoll(req.get_param_value(name));
  } catch (const std::exception&) {
    return fallback;
  }
}

}  // namespace rollcall::testing
