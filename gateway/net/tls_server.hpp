#pragma once
/// What the TLS listeners for hospital systems (`mllp_server`, `ingest_http_server`) have in
/// common: start, graceful stop with a drained notification, the bound port, open connections.
///
/// Every connection runs on its own strand: TLS handshake within `handshake_timeout` (a client
/// certificate chaining to the configured CA and valid now is required, or the handshake fails),
/// then the certificate is mapped to a facility that has a feed over this listener's transport;
/// otherwise the connection is refused (closed, after a short answer where the protocol has one).
/// `max_connections` is enforced at accept (before any handshake), `max_connections_per_facility`
/// right after authentication. Refusals are logged with the peer address, the certificate subject
/// and the facility code; never a message byte.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "gateway/config/config.hpp"

namespace boost::asio {
class io_context;
namespace ssl {
class context;
}
}  // namespace boost::asio

namespace gw::net {

class facility_auth;

namespace detail {
class session_handler;
class tls_listener;
}  // namespace detail

class tls_server {
 public:
  virtual ~tls_server();
  tls_server(const tls_server&) = delete;
  tls_server& operator=(const tls_server&) = delete;

  /// Binds and starts accepting. Throws std::system_error when the address cannot be bound.
  void start();
  /// Graceful stop: no new connections; idle connections close now, the others once the message
  /// in flight is answered. `drained` (optional) runs once, on an I/O thread, when no connection
  /// is left (at once when there is none). Thread-safe. Keep the server alive until then.
  void stop(std::function<void()> drained = {});
  /// The bound port (useful when configured as 0). Valid after `start`.
  std::uint16_t port() const;
  /// Connections open now (handshaking, refused and not yet closed, or served). Thread-safe.
  std::size_t connections() const;

 protected:
  /// `settings.tls` must be set; `auth` must outlive the server. Throws `tls_setup_error` when
  /// the TLS material cannot be loaded. `tls`, when given, is used instead of the context built
  /// from `settings.tls` (a server that adds its own certificate checks to the handshake).
  tls_server(boost::asio::io_context& ioc, const config::listener& settings, const facility_auth& auth,
             config::transport transport, std::string name, std::unique_ptr<detail::session_handler> session,
             std::shared_ptr<boost::asio::ssl::context> tls = nullptr);

 private:
  std::unique_ptr<detail::session_handler> session_;
  std::unique_ptr<detail::tls_listener> listener_;
};

}  // namespace gw::net
