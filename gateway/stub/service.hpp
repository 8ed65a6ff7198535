#pragma once
/// The national stub's listeners and what they share.
///
/// `fhir_server`: HTTPS with mutual TLS; only client certificates listed in the settings pass the
/// handshake (checked in the TLS verify callback, with the gateway's certificate matching:
/// gateway/net/facility_auth). FHIR: `POST /fhir` (transaction Bundle of PUTs, all or nothing),
/// `PUT|GET /fhir/<Type>/<id>`, `GET /fhir/<Type>?_id|patient|subject|identifier|_count`,
/// `GET /fhir/<Type>/<id>/_history`, `GET /fhir/metadata`. Faults (see faults.hpp) apply to every
/// FHIR request. `admin_server`: plain HTTP on localhost: /healthz, /readyz, /admin/faults,
/// /admin/outage, /admin/receive-log, /admin/stats.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gateway/net/facility_auth.hpp"
#include "gateway/net/tls_server.hpp"
#include "gateway/stub/checks.hpp"
#include "gateway/stub/faults.hpp"
#include "gateway/stub/settings.hpp"
#include "gateway/stub/stub_store.hpp"

namespace boost::asio {
class io_context;
}

namespace gw::stub {

/// Counters since start, for /admin/stats. Thread-safe.
struct stub_stats {
  std::atomic<std::uint64_t> requests{0}, created{0}, updated{0}, unchanged{0}, refused{0};
  std::atomic<std::uint64_t> error_500{0}, error_503{0}, drop_after_write{0}, outage{0}, delayed{0};
  std::string to_json() const;
};

/// What both listeners use; everything outlives the listeners.
struct stub_context {
  const stub_settings& settings;
  store::database& db;
  stub_store& store;
  fault_state& faults;
  stub_stats& stats;
  check_settings checks;
  std::string instance;  ///< start time in ms: prefixes batch ids so they differ across restarts
};

namespace detail {
/// The accepted client certificates as a one-entry "facility" list for net::facility_auth.
struct client_binding {
  explicit client_binding(const config::certificate_match& clients);
  std::vector<config::facility> facilities;
  net::facility_auth auth;
};
}  // namespace detail

class fhir_server final : private detail::client_binding, public net::tls_server {
 public:
  /// Throws net::tls_setup_error when the TLS material cannot be loaded.
  fhir_server(boost::asio::io_context& ioc, stub_context& ctx);
};

class admin_server {
 public:
  admin_server(boost::asio::io_context& ioc, stub_context& ctx);
  ~admin_server();
  void start();  ///< throws std::system_error when the address cannot be bound
  void stop();
  std::uint16_t port() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace gw::stub
