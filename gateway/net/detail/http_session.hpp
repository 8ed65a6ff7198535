#pragma once
/// Module-private: HTTP/1.1 over an authenticated TLS connection, with a pluggable router, so the
/// ingest listener and (later) the API listener share one implementation of the framing, limits,
/// deadlines and keep-alive. Beast stays inside http_session.cpp.

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fhir/issue.hpp"
#include "gateway/config/config.hpp"
#include "gateway/net/detail/tls_listener.hpp"

namespace gw::net::detail {

/// A complete request as received (body within limits).
struct http_request {
  std::string method;  ///< as sent, e.g. "POST"
  std::string target;  ///< path and query, e.g. "/ingest"
  std::string content_type;
  std::string body;
  bool keep_alive = true;

  /// The target without its query string.
  std::string_view path() const;
};

/// The answer to write.
struct http_reply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::optional<int> retry_after_seconds;
  std::vector<std::pair<std::string, std::string>> headers;  ///< extra headers, e.g. Allow
  bool close = false;                                        ///< close the connection after this answer
};

/// An error answer: `status` with an OperationOutcome (one error issue with `code` and
/// `diagnostics`, no patient data) built by the one place that does it (fhir/outcome.hpp).
/// Defined in http_error.cpp, so only that file pays for the FHIR model.
http_reply json_error(int status, fhir::issue_code code, std::string_view diagnostics);

/// Maps requests to answers. Called on the connection's strand; may be awaited concurrently from
/// many connections.
class http_router {
 public:
  virtual ~http_router() = default;
  virtual boost::asio::awaitable<http_reply> route(http_request& req, tls_connection& c) = 0;
};

/// Serves requests until the peer closes, a deadline passes, a limit is exceeded or the listener
/// stops (the request in flight is answered first, with `Connection: close`).
/// Deadlines: `idle_timeout` for the first byte of a request, then `read_timeout` for the whole
/// request; writes get `read_timeout`. Limits: `max_header_bytes` (431), `max_message_bytes` (413).
boost::asio::awaitable<void> serve_http(tls_connection& c, const config::limits& limits, http_router& router,
                                        std::string_view listener_name);

/// Writes one answer (used to refuse a connection before reading anything).
boost::asio::awaitable<io_status> write_http_reply(tls_connection& c, const http_reply& r, bool keep_alive,
                                                   steady_time deadline);

}  // namespace gw::net::detail
