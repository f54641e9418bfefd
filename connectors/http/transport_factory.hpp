// TransportFactory: where HTTP connectors get their transport. The CLI owns one
// CurlTransportFactory and lends it to connectors through ConnectorEnv::http; tests lend one
// whose transports point at a fake server and whose retries do not really sleep.
//
// Every transport a factory creates is already wrapped in RetryingTransport, so connectors
// never retry by themselves.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "connectors/http/retry.hpp"
#include "connectors/http/transport.hpp"
#include "scanner/core/log.hpp"
#include "scanner/core/time.hpp"

namespace rollcall::http {

struct TransportOptions {
  std::string system;  // the [[system]] name, for log lines
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds timeout{60'000};  // one request, connect to last byte
  std::string ca_file;                        // PEM bundle; "" = the system trust store
  bool verify_tls = true;
  RetryPolicy retry;
};

class TransportFactory {
 public:
  virtual ~TransportFactory() = default;
  // A retrying transport for one system. log and clock must outlive it. Fails when the
  // options cannot be honoured (a CA bundle that does not exist).
  virtual Result<std::unique_ptr<Transport>> create(const TransportOptions& options, Logger& log,
                                                    const Clock& clock) = 0;
};

// The production factory: CurlTransport inside RetryingTransport. Not copyable; must outlive
// the transports it creates (it lends them its sleeper).
class CurlTransportFactory final : public TransportFactory {
 public:
  // Real sleeps and random jitter.
  CurlTransportFactory();
  // For tests: retries wait through `sleeper` (borrowed) with jitter from `random`.
  CurlTransportFactory(Sleeper& sleeper, std::function<double()> random);
  CurlTransportFactory(const CurlTransportFactory&) = delete;
  CurlTransportFactory& operator=(const CurlTransportFactory&) = delete;

  // Logs a warning when TLS verification is off: it must never go unnoticed.
  Result<std::unique_ptr<Transport>> create(const TransportOptions& options, Logger& log,
                                            const Clock& clock) override;

 private:
  ThreadSleeper thread_sleeper_;
  Sleeper& sleeper_;
  std::function<double()> random_;
};

}  // namespace rollcall::http
