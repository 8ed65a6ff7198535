// Building TLS server contexts (clear errors naming the files) and mapping verified client
// certificates to facilities (subject or fingerprint, transport check).
#include <gtest/gtest.h>

#include <boost/asio/ssl/context.hpp>

#include "gateway/net/facility_auth.hpp"
#include "gateway/net/tls_context.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_certs.hpp"

namespace gw::net {
namespace {

using test::test_certs;

config::facility facility(std::string code, std::vector<config::transport> transports) {
  config::facility f;
  f.code = std::move(code);
  for (auto t : transports) f.feeds.push_back({config::feed_format::hl7v2, t});
  return f;
}

std::string error_of(const config::tls_settings& s) {
  try {
    make_server_tls_context(s, client_certificates::required);
  } catch (const tls_setup_error& e) {
    return e.what();
  }
  return {};
}

TEST(tls_context, loads_matching_certificate_and_key) {
  test::temp_dir dir("tlsctx");
  test_certs certs(dir.path());
  config::tls_settings s{certs.server().cert, certs.server().key, certs.ca(), "1.2"};
  auto ctx = make_server_tls_context(s, client_certificates::required);
  ASSERT_NE(ctx, nullptr);
  SSL_CTX* native = ctx->native_handle();
  EXPECT_EQ(::SSL_CTX_get_min_proto_version(native), TLS1_2_VERSION);
  EXPECT_EQ(::SSL_CTX_get_verify_mode(native), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
  EXPECT_NE(::SSL_CTX_get_options(native) & SSL_OP_NO_RENEGOTIATION, 0u);
  EXPECT_NE(::SSL_CTX_get_options(native) & SSL_OP_NO_COMPRESSION, 0u);
  s.min_version = "1.3";
  EXPECT_EQ(::SSL_CTX_get_min_proto_version(make_server_tls_context(s, client_certificates::none)->native_handle()),
            TLS1_3_VERSION);
}

TEST(tls_context, errors_name_the_file) {
  test::temp_dir dir("tlsctx");
  test_certs certs(dir.path());
  auto other = certs.client("other", "someone");
  config::tls_settings s{certs.server().cert, certs.server().key, certs.ca(), "1.2"};

  auto missing = s;
  missing.certificate = dir / "nope.crt";
  EXPECT_NE(error_of(missing).find("nope.crt"), std::string::npos) << error_of(missing);

  auto garbage = s;
  test::write_file(dir / "garbage.key", "not a key");
  garbage.private_key = dir / "garbage.key";
  EXPECT_NE(error_of(garbage).find("garbage.key"), std::string::npos) << error_of(garbage);

  auto mismatched = s;
  mismatched.private_key = other.key;
  auto msg = error_of(mismatched);
  EXPECT_NE(msg.find("does not match"), std::string::npos) << msg;
  EXPECT_NE(msg.find(other.key.filename().string()), std::string::npos) << msg;

  auto no_ca = s;
  no_ca.ca = dir / "missing-ca.crt";
  EXPECT_NE(error_of(no_ca).find("missing-ca.crt"), std::string::npos) << error_of(no_ca);
}

TEST(facility_auth, maps_subject_and_fingerprint_and_checks_the_transport) {
  test::temp_dir dir("auth");
  test_certs certs(dir.path());
  auto a = certs.client("a", "facility-42001.emr-gateway.test");
  auto a_new = certs.client("a-new", "facility-42001-2027.emr-gateway.test");
  auto b = certs.client("b", "b-device");
  auto stranger = certs.client("stranger", "facility-99999.emr-gateway.test");

  std::vector<config::facility> facilities;
  facilities.push_back(facility("42001", {config::transport::mllp}));
  facilities.back().certificates.subjects = {"CN=facility-42001.emr-gateway.test",
                                             "CN=facility-42001-2027.emr-gateway.test"};
  facilities.push_back(facility("42002", {config::transport::https}));
  auto fp = test_certs::sha256_of(b.cert);
  std::string upper;
  for (char c : fp) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  facilities.back().certificates.sha256_fingerprints = {upper};  // case does not matter
  facility_auth auth(facilities);

  auto xa = test_certs::load(a.cert);
  auto id = identify_certificate(xa.get());
  EXPECT_EQ(id.subject, "CN=facility-42001.emr-gateway.test");
  EXPECT_EQ(id.sha256, test_certs::sha256_of(a.cert));

  auto r = auth.authenticate(xa.get(), config::transport::mllp);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.facility->code, "42001");
  auto rotated = auth.authenticate(test_certs::load(a_new.cert).get(), config::transport::mllp);
  ASSERT_TRUE(rotated.ok());
  EXPECT_EQ(rotated.facility->code, "42001");

  EXPECT_EQ(auth.authenticate(xa.get(), config::transport::https).what, auth_result::status::transport_not_configured);

  auto rb = auth.authenticate(test_certs::load(b.cert).get(), config::transport::https);
  ASSERT_TRUE(rb.ok());
  EXPECT_EQ(rb.facility->code, "42002");

  EXPECT_EQ(auth.authenticate(test_certs::load(stranger.cert).get(), config::transport::mllp).what,
            auth_result::status::unknown_certificate);
  EXPECT_EQ(auth.authenticate(nullptr, config::transport::mllp).what, auth_result::status::no_certificate);
}

}  // namespace
}  // namespace gw::net
