#pragma once
/// TLS server contexts for the gateway's listeners.
///
/// Every listener speaks TLS 1.2 or 1.3 only (the minimum comes from the settings), with no
/// compression, no renegotiation, no session resumption (each connection's client certificate is
/// verified afresh against the current configuration) and, for TLS 1.2, ECDHE key exchange with
/// AEAD ciphers only.

#include <memory>
#include <stdexcept>

#include "gateway/config/config.hpp"

namespace boost::asio::ssl {
class context;
}

namespace gw::net {

/// Whether the listener asks for and verifies a client certificate.
enum class client_certificates {
  required,  ///< mutual TLS: a certificate signed by `tls_settings::ca`, valid now, or the
             ///< handshake fails
  none,      ///< server authentication only (the API listener; its users bring bearer tokens)
};

/// A TLS context could not be built; `what()` names the file and the reason.
class tls_setup_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Builds a server context from `settings`: the certificate chain and private key (checked to
/// match), and with `client_certificates::required` the CA bundle that client certificates must
/// chain to (`verify_peer | verify_fail_if_no_peer_cert`). Throws `tls_setup_error`.
/// The returned context is immutable afterwards and may be shared by all connections of a
/// listener (OpenSSL contexts are thread-safe once set up).
std::shared_ptr<boost::asio::ssl::context> make_server_tls_context(const config::tls_settings& settings,
                                                                   client_certificates clients);

}  // namespace gw::net
