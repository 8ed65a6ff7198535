#pragma once
/// Module-private: the part every TLS listener shares (accept loop, one strand per connection,
/// handshake with a deadline, facility authentication, connection limits, graceful stop and
/// drain), so that the protocol code (MLLP, HTTP) sees only an authenticated byte stream with
/// deadlines. This header keeps Asio SSL and Beast out; only tls_listener.cpp pays for them.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "gateway/config/config.hpp"

namespace boost::asio::ssl {
class context;
}

namespace gw::net {
class facility_auth;
}

namespace gw::net::detail {

using steady_time = std::chrono::steady_clock::time_point;

/// Expected outcomes of a read or write, as values.
enum class io_status : std::uint8_t {
  ok,
  closed,     ///< the peer closed (with or without TLS close_notify), or reset
  timeout,    ///< the deadline passed; the connection is unusable afterwards
  cancelled,  ///< the listener is stopping and the connection was idle
  failed,     ///< any other transport or TLS error
};
std::string_view to_string(io_status s);

/// One accepted, handshaken and authenticated connection, seen by the protocol code. All calls
/// happen on the connection's strand (inside the session coroutine).
class tls_connection {
 public:
  virtual ~tls_connection() = default;
  /// Reads at most `out.size()` bytes; completes with `timeout` at `deadline`.
  virtual boost::asio::awaitable<std::pair<io_status, std::size_t>> read_some(std::span<char> out,
                                                                              steady_time deadline) = 0;
  /// Writes all of `bytes`; completes with `timeout` at `deadline`.
  virtual boost::asio::awaitable<io_status> write(std::string_view bytes, steady_time deadline) = 0;
  /// Marks the connection idle (between messages, nothing of the next one received): a stop of
  /// the listener then cancels the pending read instead of waiting for the idle timeout.
  virtual void set_idle(bool idle) = 0;
  /// True once the listener is stopping: finish the message in flight and its answer, then return.
  virtual bool stopping() const = 0;
  /// Skip the TLS close_notify exchange when the session ends (after a timeout or a failure).
  virtual void close_abruptly() = 0;
  /// After an early answer (a refusal, 413): when the session ends, send close_notify and keep
  /// reading (and discarding) until the peer's close_notify or `handshake_timeout`, so the answer
  /// is not lost to a TCP reset caused by unread bytes. By default close_notify is sent without
  /// waiting for the peer's.
  virtual void linger_on_close() = 0;

  /// The authenticated facility; null only in `session_handler::refuse` for unknown certificates.
  virtual const config::facility* facility() const = 0;
  /// "address:port" of the peer, for logs.
  virtual const std::string& peer() const = 0;
  /// The peer certificate's RFC 2253 subject, for logs.
  virtual const std::string& certificate_subject() const = 0;
};

/// Why an authenticated (TLS-valid) peer is not served.
enum class refusal : std::uint8_t {
  unknown_certificate,        ///< verified certificate bound to no facility
  transport_not_configured,   ///< the facility has no feed over this listener's transport
  facility_connection_limit,  ///< limits.max_connections_per_facility reached
};
std::string_view to_string(refusal r);

/// The protocol spoken over the connection.
class session_handler {
 public:
  virtual ~session_handler() = default;
  /// Serves messages until the peer leaves, a limit or deadline is hit, or `stopping()`.
  virtual boost::asio::awaitable<void> serve(tls_connection& c) = 0;
  /// Called instead of `serve` for a refused peer; may write a short answer (HTTP), or nothing
  /// (MLLP). Must not read message bytes.
  virtual boost::asio::awaitable<void> refuse(tls_connection& c, refusal why) = 0;
};

/// The machinery behind `tls_server` (see there for the behaviour of each member).
class tls_listener {
 public:
  /// `name` is used in logs ("mllp", "ingest"). `auth` and `handler` must outlive the listener
  /// and every connection it accepted. `tls` (optional) replaces the context built from
  /// `settings.tls`.
  tls_listener(boost::asio::io_context& ioc, const config::listener& settings, const facility_auth& auth,
               config::transport transport, std::string name, session_handler& handler,
               std::shared_ptr<boost::asio::ssl::context> tls = nullptr);
  ~tls_listener();
  tls_listener(const tls_listener&) = delete;
  tls_listener& operator=(const tls_listener&) = delete;

  void start();
  void stop(std::function<void()> drained);
  std::uint16_t port() const;
  std::size_t connections() const;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace gw::net::detail
