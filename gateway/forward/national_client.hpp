#pragma once
/// HTTPS client of the national health database: mutual TLS (TLS 1.2+, the server's certificate
/// verified against the configured CA and its name against the URL's host), HTTP/1.1 keep-alive on
/// one connection, one deadline per request. One instance per forwarder worker; not thread-safe
/// (one request at a time). Beast and Asio SSL stay in the .cpp.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "gateway/config/config.hpp"

namespace boost::asio::ssl {
class context;
}

namespace gw::forward {

/// "https://host[:port]/path" split up; nullopt when the URL is not of that form.
struct endpoint {
  std::string host;
  std::string port = "443";
  std::string path;  ///< "/fhir" ("" becomes "/")
};
std::optional<endpoint> parse_https_url(const std::string& url);

/// A client TLS context: the gateway's client certificate and key, the CA bundle that the
/// national server's certificate must chain to, TLS 1.2 minimum (or 1.3 per settings).
/// Throws std::runtime_error naming the file when something cannot be loaded.
std::shared_ptr<boost::asio::ssl::context> make_client_tls_context(const config::tls_settings& settings);

struct http_result {
  int status = 0;  ///< 0: no answer (connect, handshake, write or read failed, or timed out)
  bool timed_out = false;
  std::string body;
  std::chrono::seconds retry_after{0};  ///< from a Retry-After header given in seconds
  std::string error;                    ///< what failed when status == 0 (no patient data)
};

class national_client {
 public:
  national_client(boost::asio::any_io_executor ex, std::shared_ptr<boost::asio::ssl::context> tls, endpoint ep,
                  std::chrono::milliseconds timeout);
  ~national_client();
  national_client(const national_client&) = delete;
  national_client& operator=(const national_client&) = delete;

  /// POSTs `body` (application/fhir+json) to the endpoint's path. Reuses the open connection; a
  /// connection the server had already closed is replaced once, transparently. Never throws for
  /// network outcomes: they come back in http_result.
  boost::asio::awaitable<http_result> post(std::string body);

  /// Closes the connection (the next request opens a new one).
  void close();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace gw::forward
