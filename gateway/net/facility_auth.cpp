#include "gateway/net/facility_auth.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace gw::net {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string rfc2253_subject(const X509* cert) {
  const X509_NAME* name = ::X509_get_subject_name(cert);
  if (name == nullptr) return {};
  std::unique_ptr<BIO, decltype(&::BIO_free)> bio(::BIO_new(::BIO_s_mem()), &::BIO_free);
  if (!bio || ::X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return {};
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

std::string sha256_hex(const X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (::X509_digest(cert, ::EVP_sha256(), md, &len) != 1) return {};
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 0x0f];
  }
  return out;
}

}  // namespace

certificate_identity identify_certificate(const x509_st* cert) {
  return {rfc2253_subject(cert), sha256_hex(cert)};
}

std::string_view auth_result::reason() const {
  switch (what) {
    case status::ok: return "authenticated";
    case status::no_certificate: return "no client certificate was presented";
    case status::unknown_certificate: return "the client certificate is not bound to any facility";
    case status::transport_not_configured: return "the facility is not configured to send over this listener";
  }
  return "refused";
}

facility_auth::facility_auth(const std::vector<config::facility>& facilities) {
  for (const auto& f : facilities) {
    for (const auto& s : f.certificates.subjects) by_subject_.emplace(s, &f);
    for (const auto& fp : f.certificates.sha256_fingerprints) {
      std::string key = lower(fp);
      key.erase(std::remove(key.begin(), key.end(), ':'), key.end());
      by_fingerprint_.emplace(std::move(key), &f);
    }
  }
}

const config::facility* facility_auth::find(const certificate_identity& id) const {
  if (!id.sha256.empty())
    if (auto it = by_fingerprint_.find(id.sha256); it != by_fingerprint_.end()) return it->second;
  if (!id.subject.empty())
    if (auto it = by_subject_.find(id.subject); it != by_subject_.end()) return it->second;
  return nullptr;
}

auth_result facility_auth::authenticate(const x509_st* cert, config::transport transport) const {
  auth_result r;
  if (cert == nullptr) return r;
  r.certificate = identify_certificate(cert);
  r.facility = find(r.certificate);
  if (r.facility == nullptr) {
    r.what = auth_result::status::unknown_certificate;
    return r;
  }
  bool configured = std::any_of(r.facility->feeds.begin(), r.facility->feeds.end(),
                                [&](const config::feed& f) { return f.transport == transport; });
  r.what = configured ? auth_result::status::ok : auth_result::status::transport_not_configured;
  return r;
}

}  // namespace gw::net
