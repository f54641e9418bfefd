#include "connectors/http/transport_factory.hpp"

#include "connectors/http/curl_transport.hpp"

namespace rollcall::http {

CurlTransportFactory::CurlTransportFactory() : sleeper_(thread_sleeper_), random_(default_random()) {}

CurlTransportFactory::CurlTransportFactory(Sleeper& sleeper, std::function<double()> random)
    : sleeper_(sleeper), random_(std::move(random)) {}

Result<std::unique_ptr<Transport>> CurlTransportFactory::create(const TransportOptions& options,
                                                                Logger& log, const Clock& clock) {
  CurlOptions curl;
  curl.connect_timeout = options.connect_timeout;
  curl.timeout = options.timeout;
  curl.ca_file = options.ca_file;
  curl.verify_tls = options.verify_tls;
#ifdef ROLLCALL_VERSION
  curl.user_agent = "rollcall/" ROLLCALL_VERSION;
#endif
  RC_ASSIGN(auto inner, CurlTransport::create(curl));
  if (!options.verify_tls) {
    log.warn(options.system + ": TLS CERTIFICATE VERIFICATION IS OFF (insecure_skip_tls_verify = "
             "true): anyone on the network path can read the credentials and forge the data. "
             "Use ca_file instead outside a lab.");
  }
  return std::unique_ptr<Transport>(std::make_unique<RetryingTransport>(
      std::move(inner), options.retry, RetryContext{options.system, log, clock, sleeper_, random_}));
}

}  // namespace rollcall::http
