#include "gateway/net/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <boost/asio/ssl/context.hpp>

#include <fstream>
#include <string>

namespace gw::net {

namespace ssl = boost::asio::ssl;

namespace {

/// TLS 1.2 suites: forward secrecy (ECDHE) and authenticated encryption (GCM, ChaCha20-Poly1305)
/// only. TLS 1.3 suites are all AEAD; OpenSSL's defaults are kept for them.
constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256";

/// The most recent OpenSSL error (and clears the queue), for messages.
std::string openssl_reason() {
  unsigned long last = 0;
  while (unsigned long e = ::ERR_get_error()) last = e;
  if (last == 0) return "unknown OpenSSL error";
  char buf[256];
  ::ERR_error_string_n(last, buf, sizeof buf);
  return buf;
}

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& file, const std::string& why) {
  throw tls_setup_error(what + " '" + file.string() + "': " + why);
}

void require_readable(const char* what, const std::filesystem::path& file) {
  if (file.empty()) throw tls_setup_error(std::string(what) + " is not configured");
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(std::string("cannot read ") + what, file, "missing or not readable");
}

}  // namespace

std::shared_ptr<ssl::context> make_server_tls_context(const config::tls_settings& s, client_certificates clients) {
  ::ERR_clear_error();
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();

  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression |
                   ssl::context::single_dh_use);
  ::SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
  int min_version = s.min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION;
  if (s.min_version != "1.2" && s.min_version != "1.3")
    throw tls_setup_error("unknown TLS min_version '" + s.min_version + "' (allowed 1.2, 1.3)");
  if (::SSL_CTX_set_min_proto_version(native, min_version) != 1 ||
      ::SSL_CTX_set_max_proto_version(native, TLS1_3_VERSION) != 1)
    throw tls_setup_error("cannot restrict TLS versions: " + openssl_reason());
  if (::SSL_CTX_set_cipher_list(native, tls12_ciphers) != 1)
    throw tls_setup_error("cannot set the TLS 1.2 cipher list: " + openssl_reason());
  // No resumption: a resumed session would skip verifying the client certificate against the
  // CA and the facility bindings of the configuration running now.
  ::SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  ::SSL_CTX_set_num_tickets(native, 0);

  require_readable("server certificate", s.certificate);
  if (::SSL_CTX_use_certificate_chain_file(native, s.certificate.c_str()) != 1)
    fail("cannot load server certificate", s.certificate, openssl_reason());
  require_readable("server private key", s.private_key);
  auto mismatch = [&] {
    return tls_setup_error("server private key '" + s.private_key.string() + "' does not match certificate '" +
                           s.certificate.string() + "'");
  };
  if (::SSL_CTX_use_PrivateKey_file(native, s.private_key.c_str(), SSL_FILETYPE_PEM) != 1) {
    if (ERR_GET_REASON(::ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) throw mismatch();
    fail("cannot load server private key", s.private_key, openssl_reason());
  }
  if (::SSL_CTX_check_private_key(native) != 1) throw mismatch();

  if (clients == client_certificates::required) {
    require_readable("client CA bundle", s.ca);
    if (::SSL_CTX_load_verify_locations(native, s.ca.c_str(), nullptr) != 1)
      fail("cannot load client CA bundle", s.ca, openssl_reason());
    // Tell clients which CAs are accepted, so one holding several certificates picks the right one.
    STACK_OF(X509_NAME)* names = ::SSL_load_client_CA_file(s.ca.c_str());
    if (names == nullptr) fail("no CA certificate in client CA bundle", s.ca, openssl_reason());
    ::SSL_CTX_set_client_CA_list(native, names);
    ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    ctx->set_verify_depth(4);
  } else {
    ctx->set_verify_mode(ssl::verify_none);
  }
  ::ERR_clear_error();
  return ctx;
}

}  // namespace gw::net
