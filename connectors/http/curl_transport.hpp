// CurlTransport: the Transport that talks to the network, over libcurl. The only code in
// rollcall that includes <curl/curl.h>.
//
// Connections are kept alive and reused: each concurrent send borrows a curl easy handle from a
// small pool, and all handles share one connection cache, DNS cache and TLS session cache, so
// a sequence of page requests runs over one connection and N workers use at most N. HTTP/2 is
// negotiated over TLS where the server offers it. TLS peers are verified unless the options
// say otherwise. Proxies come from the usual environment variables (https_proxy, http_proxy,
// no_proxy), read by libcurl. Redirects are not followed: a 3xx reaches the caller.
//
// Thread-safe: send() may be called from several threads at once.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "connectors/http/transport.hpp"

namespace rollcall::http {

struct CurlOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds timeout{60'000};  // whole request, connect to last byte
  std::string ca_file;                         // PEM bundle; "" = the system's trust store
  bool verify_tls = true;
  std::size_t max_body_bytes = 512u << 20;     // a larger body fails the request
  std::string user_agent = "rollcall";
};

class CurlTransport final : public Transport {
 public:
  // Fails when libcurl cannot be initialised or the CA file does not exist.
  static Result<std::unique_ptr<CurlTransport>> create(const CurlOptions& options);
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<Response> send(const Request& request) override;

 private:
  struct Impl;
  explicit CurlTransport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rollcall::http
