#pragma once
// Certificates made at test time with the OpenSSL API (nothing checked in, nothing shared between
// runs): a CA, a server certificate for 127.0.0.1 / localhost, client certificates signed by the
// CA (valid or already expired), and client certificates from a second CA nobody trusts.
// EC P-256 keys, SHA-256 signatures, PEM files in the given folder.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

namespace gw::test {

struct cert_files {
  std::filesystem::path cert;
  std::filesystem::path key;
};

class test_certs {
 public:
  enum class validity { valid, expired };

  /// Makes the CA, the server certificate and the untrusted CA in `dir`.
  explicit test_certs(std::filesystem::path dir) : dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_);
    ca_ = make_ca("emr-gateway test CA", "ca");
    other_ca_ = make_ca("somebody else's CA", "other-ca");
    server_ = issue(ca_, "server", "CN=gateway.emr-gateway.test", validity::valid, "serverAuth",
                    "DNS:localhost,IP:127.0.0.1");
  }

  /// The CA bundle the gateway trusts for client certificates (and tests trust for the server).
  const std::filesystem::path& ca() const { return ca_.files.cert; }
  const cert_files& server() const { return server_.files; }

  /// A client certificate signed by the trusted CA, subject "CN=<common_name>".
  cert_files client(const std::string& name, const std::string& common_name, validity v = validity::valid) {
    return issue(ca_, name, "CN=" + common_name, v, "clientAuth", "").files;
  }
  /// Another server certificate for 127.0.0.1 / localhost signed by the trusted CA, subject
  /// "CN=<common_name>" (e.g. the national database stub's).
  cert_files server_cert(const std::string& name, const std::string& common_name) {
    return issue(ca_, name, "CN=" + common_name, validity::valid, "serverAuth", "DNS:localhost,IP:127.0.0.1").files;
  }
  /// A client certificate signed by a CA the gateway does not trust.
  cert_files untrusted_client(const std::string& name, const std::string& common_name) {
    return issue(other_ca_, name, "CN=" + common_name, validity::valid, "clientAuth", "").files;
  }

  /// Lower-case hex SHA-256 of the certificate's DER encoding (as in facility configuration).
  static std::string sha256_of(const std::filesystem::path& cert_pem) {
    auto x = load(cert_pem);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    ::X509_digest(x.get(), ::EVP_sha256(), md, &len);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
      out += hex[md[i] >> 4];
      out += hex[md[i] & 0x0f];
    }
    return out;
  }

  using x509_ptr = std::unique_ptr<X509, decltype(&::X509_free)>;
  static x509_ptr load(const std::filesystem::path& cert_pem) {
    std::FILE* f = std::fopen(cert_pem.c_str(), "rb");
    if (f == nullptr) throw std::runtime_error("cannot open " + cert_pem.string());
    X509* x = ::PEM_read_X509(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    if (x == nullptr) throw std::runtime_error("not a PEM certificate: " + cert_pem.string());
    return {x, &::X509_free};
  }

 private:
  struct issued {
    cert_files files;
    std::shared_ptr<X509> cert;
    std::shared_ptr<EVP_PKEY> key;
  };

  static void check(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("test certificate: ") + what + " failed");
  }

  static std::shared_ptr<EVP_PKEY> new_key() {
    EVP_PKEY* k = EVP_EC_gen("P-256");
    check(k != nullptr, "EC key generation");
    return {k, &::EVP_PKEY_free};
  }

  static void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = ::X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    check(ext != nullptr, "extension");
    ::X509_add_ext(cert, ext, -1);
    ::X509_EXTENSION_free(ext);
  }

  static void set_subject(X509* cert, const std::string& subject) {
    // "CN=value" only: enough for tests.
    X509_NAME* name = ::X509_get_subject_name(cert);
    auto value = subject.substr(subject.find('=') + 1);
    check(::X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.c_str()),
                                       -1, -1, 0) == 1,
          "subject");
  }

  void write(const issued& i) const {
    std::FILE* c = std::fopen(i.files.cert.c_str(), "wb");
    check(c != nullptr && ::PEM_write_X509(c, i.cert.get()) == 1, "writing certificate");
    std::fclose(c);
    std::FILE* k = std::fopen(i.files.key.c_str(), "wb");
    check(k != nullptr && ::PEM_write_PrivateKey(k, i.key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1,
          "writing key");
    std::fclose(k);
  }

  issued make_ca(const std::string& cn, const std::string& name) {
    issued ca{{dir_ / (name + ".crt"), dir_ / (name + ".key")}, nullptr, new_key()};
    ca.cert.reset(::X509_new(), &::X509_free);
    X509* x = ca.cert.get();
    ::X509_set_version(x, 2);
    ::ASN1_INTEGER_set(::X509_get_serialNumber(x), serial_++);
    ::X509_gmtime_adj(::X509_getm_notBefore(x), -3600);
    ::X509_gmtime_adj(::X509_getm_notAfter(x), 30L * 24 * 3600);
    set_subject(x, "CN=" + cn);
    ::X509_set_issuer_name(x, ::X509_get_subject_name(x));
    ::X509_set_pubkey(x, ca.key.get());
    add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_ext(x, x, NID_subject_key_identifier, "hash");
    check(::X509_sign(x, ca.key.get(), ::EVP_sha256()) > 0, "signing CA");
    write(ca);
    return ca;
  }

  issued issue(const issued& ca, const std::string& name, const std::string& subject, validity v,
               const std::string& usage, const std::string& san) {
    issued out{{dir_ / (name + ".crt"), dir_ / (name + ".key")}, nullptr, new_key()};
    out.cert.reset(::X509_new(), &::X509_free);
    X509* x = out.cert.get();
    ::X509_set_version(x, 2);
    ::ASN1_INTEGER_set(::X509_get_serialNumber(x), serial_++);
    if (v == validity::valid) {
      ::X509_gmtime_adj(::X509_getm_notBefore(x), -3600);
      ::X509_gmtime_adj(::X509_getm_notAfter(x), 7L * 24 * 3600);
    } else {
      ::X509_gmtime_adj(::X509_getm_notBefore(x), -10L * 24 * 3600);
      ::X509_gmtime_adj(::X509_getm_notAfter(x), -24L * 3600);
    }
    set_subject(x, subject);
    ::X509_set_issuer_name(x, ::X509_get_subject_name(ca.cert.get()));
    ::X509_set_pubkey(x, out.key.get());
    add_ext(x, ca.cert.get(), NID_basic_constraints, "CA:FALSE");
    add_ext(x, ca.cert.get(), NID_key_usage, "critical,digitalSignature");
    add_ext(x, ca.cert.get(), NID_ext_key_usage, usage);
    add_ext(x, ca.cert.get(), NID_authority_key_identifier, "keyid");
    if (!san.empty()) add_ext(x, ca.cert.get(), NID_subject_alt_name, san);
    check(::X509_sign(x, ca.key.get(), ::EVP_sha256()) > 0, "signing certificate");
    write(out);
    return out;
  }

  std::filesystem::path dir_;
  long serial_ = 1;
  issued ca_;
  issued other_ca_;
  issued server_;
};

}  // namespace gw::test
