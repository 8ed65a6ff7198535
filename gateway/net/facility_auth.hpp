#pragma once
/// Which facility is on the other end of a mutually authenticated TLS connection.
///
/// A facility is bound to its client certificates in its configuration, by exact subject or by
/// SHA-256 fingerprint; several certificates may be bound at once so one can be rotated without
/// downtime. The subject is compared in the RFC 2253 form that OpenSSL prints with
/// `XN_FLAG_RFC2253` (`openssl x509 -noout -subject -nameopt RFC2253`), e.g.
/// "CN=facility-42001.emr-gateway.test,O=...,C=VN". Chain and expiry are verified by TLS before
/// this runs; this only maps an already verified certificate to a facility.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gateway/config/config.hpp"

struct x509_st;  // OpenSSL's X509

namespace gw::net {

/// What identifies a certificate, for matching and for logs (no patient data in either).
struct certificate_identity {
  std::string subject;  ///< RFC 2253
  std::string sha256;   ///< lower-case hex of the SHA-256 of the DER encoding
};

/// Reads the identity of `cert` (not null).
certificate_identity identify_certificate(const x509_st* cert);

/// The answer to "who is this and may it use this listener?".
struct auth_result {
  enum class status : std::uint8_t {
    ok,
    no_certificate,            ///< no verified client certificate (cannot happen with mutual TLS)
    unknown_certificate,       ///< verified, but bound to no facility
    transport_not_configured,  ///< the facility has no feed over this listener's transport
  };
  status what = status::no_certificate;
  const config::facility* facility = nullptr;  ///< set when the certificate maps to a facility
  certificate_identity certificate;

  bool ok() const { return what == status::ok; }
  /// A short reason for logs and for the client (no patient data).
  std::string_view reason() const;
};

/// Index from certificate subject and fingerprint to facility, built once from the configuration.
/// Immutable after construction, so safe to share between threads. `facilities` must outlive it.
class facility_auth {
 public:
  explicit facility_auth(const std::vector<config::facility>& facilities);

  /// The facility bound to this subject or fingerprint; null when none.
  const config::facility* find(const certificate_identity& id) const;

  /// Maps the verified peer certificate `cert` (null when the peer sent none) to a facility that
  /// has a feed over `transport`.
  auth_result authenticate(const x509_st* cert, config::transport transport) const;

 private:
  std::unordered_map<std::string, const config::facility*> by_subject_;
  std::unordered_map<std::string, const config::facility*> by_fingerprint_;
};

}  // namespace gw::net
