#include "connectors/http/curl_transport.hpp"

#include <curl/curl.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <vector>

#include "connectors/http/url.hpp"
#include "scanner/core/strings.hpp"

namespace rollcall::http {
namespace {

std::string seconds_text(std::chrono::milliseconds ms) {
  if (ms.count() % 1000 == 0) return std::to_string(ms.count() / 1000) + "s";
  return std::to_string(ms.count()) + "ms";
}

// One mutex per kind of shared data, as libcurl's share interface asks.
struct ShareLocks {
  std::array<std::mutex, CURL_LOCK_DATA_LAST> mutexes;
};

void lock_share(CURL*, curl_lock_data data, curl_lock_access, void* user) {
  static_cast<ShareLocks*>(user)->mutexes[data].lock();
}

void unlock_share(CURL*, curl_lock_data data, void* user) {
  static_cast<ShareLocks*>(user)->mutexes[data].unlock();
}

struct Transfer {
  Response response;
  std::size_t max_body = 0;
  bool too_large = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t n = size * count;
  if (t->response.body.size() + n > t->max_body) {
    t->too_large = true;
    return 0;  // makes libcurl abort with CURLE_WRITE_ERROR
  }
  t->response.body.append(data, n);
  return n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t n = size * count;
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (starts_with(line, "HTTP/")) {
    // A new status line: an interim (1xx) or proxy response came first; keep the last one's.
    t->response.headers.clear();
  } else if (auto colon = line.find(':'); colon != std::string_view::npos && colon > 0) {
    t->response.headers.push_back(
        {std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1)))});
  }
  return n;
}

struct HeaderList {
  curl_slist* list = nullptr;
  ~HeaderList() { curl_slist_free_all(list); }
  void add(const std::string& line) { list = curl_slist_append(list, line.c_str()); }
};

std::once_flag g_global_init;
CURLcode g_global_init_code = CURLE_OK;

}  // namespace

struct CurlTransport::Impl {
  CurlOptions options;
  CURLSH* share = nullptr;
  ShareLocks locks;
  std::mutex pool_mutex;
  std::vector<CURL*> idle;  // easy handles not in use; each keeps its own state between uses

  ~Impl() {
    for (CURL* h : idle) curl_easy_cleanup(h);
    if (share != nullptr) curl_share_cleanup(share);
  }

  CURL* acquire() {
    {
      std::lock_guard<std::mutex> lock(pool_mutex);
      if (!idle.empty()) {
        CURL* h = idle.back();
        idle.pop_back();
        return h;
      }
    }
    return curl_easy_init();
  }

  void release(CURL* h) {
    std::lock_guard<std::mutex> lock(pool_mutex);
    idle.push_back(h);
  }

  std::string describe(CURLcode code, CURL* h, const char* errbuf, const Transfer& t,
                       const std::string& host) const {
    long os_errno = 0;
    curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
    std::string detail = errbuf[0] != '\0' ? std::string(errbuf) : curl_easy_strerror(code);
    switch (code) {
      case CURLE_OPERATION_TIMEDOUT: {
        long sent = 0;  // request bytes sent: none means it never got past connecting
        curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &sent);
        if (sent == 0) return "could not connect to " + host + " within " + seconds_text(options.connect_timeout);
        return "no complete response within " + seconds_text(options.timeout) + " (the timeout)";
      }
      case CURLE_COULDNT_RESOLVE_HOST: return "cannot resolve host " + host;
      case CURLE_COULDNT_RESOLVE_PROXY: return "cannot resolve the proxy named by the proxy environment variables";
      case CURLE_COULDNT_CONNECT:
        return "cannot connect to " + host +
               (os_errno != 0 ? ": " + std::string(std::strerror(static_cast<int>(os_errno))) : "");
      case CURLE_PARTIAL_FILE: return "the connection closed before the whole response body arrived";
      case CURLE_GOT_NOTHING: return "the server closed the connection without responding";
      case CURLE_RECV_ERROR:
      case CURLE_SEND_ERROR:
        if (os_errno == ECONNRESET) return "the connection was reset by the server";
        return std::string(code == CURLE_RECV_ERROR ? "receiving" : "sending") + " failed: " + detail;
      case CURLE_WRITE_ERROR:
        if (t.too_large) {
          return "the response body is larger than " + std::to_string(options.max_body_bytes >> 20) + " MiB";
        }
        return detail;
      case CURLE_PEER_FAILED_VERIFICATION:
        return "the TLS certificate of " + host + " does not verify (" + detail +
               "); set ca_file to trust a private CA";
      case CURLE_SSL_CACERT_BADFILE: return "cannot read the CA bundle " + quote(options.ca_file);
      default: return detail;
    }
  }
};

Result<std::unique_ptr<CurlTransport>> CurlTransport::create(const CurlOptions& options) {
  std::call_once(g_global_init, [] { g_global_init_code = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (g_global_init_code != CURLE_OK) {
    return fail(std::string("cannot initialise libcurl: ") + curl_easy_strerror(g_global_init_code));
  }
  if (!options.ca_file.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(options.ca_file, ec)) {
      return fail("CA bundle " + quote(options.ca_file) + " not found");
    }
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->share = curl_share_init();
  if (impl->share == nullptr) return fail("cannot initialise libcurl's connection sharing");
  curl_share_setopt(impl->share, CURLSHOPT_LOCKFUNC, lock_share);
  curl_share_setopt(impl->share, CURLSHOPT_UNLOCKFUNC, unlock_share);
  curl_share_setopt(impl->share, CURLSHOPT_USERDATA, &impl->locks);
  curl_share_setopt(impl->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
  curl_share_setopt(impl->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(impl->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  return std::unique_ptr<CurlTransport>(new CurlTransport(std::move(impl)));
}

CurlTransport::CurlTransport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CurlTransport::~CurlTransport() = default;

Result<Response> CurlTransport::send(const Request& request) {
  const CurlOptions& o = impl_->options;
  CURL* h = impl_->acquire();
  if (h == nullptr) return fail("cannot create a libcurl handle");
  // reset() clears options but keeps the handle's connections and caches alive.
  curl_easy_reset(h);

  char errbuf[CURL_ERROR_SIZE] = {0};
  Transfer transfer;
  transfer.max_body = o.max_body_bytes;
  HeaderList headers;
  for (const auto& hd : request.headers) headers.add(hd.name + ": " + hd.value);
  for (const auto& hd : request.secret_headers) headers.add(hd.name + ": " + hd.value.reveal());
  headers.add("Expect:");  // no 100-continue round trip for bodies

  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_SHARE, impl_->share);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(o.timeout.count()));
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // whatever libcurl can decode
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 128L * 1024L);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, o.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, o.verify_tls ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, o.verify_tls ? 2L : 0L);
  if (!o.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, o.ca_file.c_str());
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.list);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &transfer);
  switch (request.method) {
    case Method::get: curl_easy_setopt(h, CURLOPT_HTTPGET, 1L); break;
    case Method::post: break;
    case Method::put:
    case Method::patch:
    case Method::del:
      // to_string() returns a NUL-terminated literal.
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, to_string(request.method).data());
      break;
  }
  if (request.method != Method::get && (request.method != Method::del || !request.body.empty())) {
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.c_str());
  }

  CURLcode code = curl_easy_perform(h);
  if (code != CURLE_OK) {
    auto url = parse_url(request.url);
    std::string message = impl_->describe(code, h, errbuf, transfer, url ? url->host : "the server");
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
    impl_->release(h);
    return fail(message);
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
  impl_->release(h);
  transfer.response.status = static_cast<int>(status);
  return std::move(transfer.response);
}

}  // namespace rollcall::http
