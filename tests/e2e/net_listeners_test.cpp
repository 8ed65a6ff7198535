// The real emr-gateway process with its MLLP/TLS and HTTPS ingest listeners, facility client
// certificates made at test time: a bound facility is answered (the database is unreachable
// here, so the pipeline answers AR / 503 + Retry-After, nothing claimed as stored), a
// certificate bound to no facility is refused, and SIGTERM with open connections exits 0.
#include <gtest/gtest.h>

#include <signal.h>

#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_certs.hpp"
#include "tests/support/tls_client.hpp"

namespace gw::test {
namespace {

using namespace std::chrono_literals;

std::string facility_yaml(const std::string& code, const std::string& feeds, const std::string& subject) {
  return "code: \"" + code + "\"\nname: \"Test facility " + code +
         "\"\nownership: public\nbeds: 10\n"
         "feeds: " +
         feeds + "\ncertificates:\n  subjects: [\"" + subject + "\"]\n";
}

TEST(e2e_net_listeners, facility_over_mllp_and_https_then_sigterm) {
  temp_dir dir("e2e-net");
  test_certs certs(dir / "certs");
  auto good = certs.client("f42001", "facility-42001.emr-gateway.test");
  auto unbound = certs.client("f99999", "facility-99999.emr-gateway.test");
  write_file(dir / "facilities/42001.yaml",
             facility_yaml("42001", "[{format: hl7v2, transport: mllp}, {format: qd130, transport: https}]",
                           "CN=facility-42001.emr-gateway.test"));

  auto mllp_port = free_port(), ingest_port = free_port(), admin_port = free_port(), db_port = free_port();
  std::string tls = "    tls:\n      certificate: " + certs.server().cert.string() +
                    "\n      private_key: " + certs.server().key.string() + "\n      ca: " + certs.ca().string() + "\n";
  std::string limits = "    limits: {read_timeout: 5s, idle_timeout: 60s, handshake_timeout: 5s}\n";
  write_file(dir / "gateway.yaml",
             "log_level: info\nfacilities_dir: facilities\nlisteners:\n"
             "  mllp:\n    address: 127.0.0.1\n    port: " +
                 std::to_string(mllp_port) + "\n" + tls + limits +
                 "  ingest:\n    address: 127.0.0.1\n    port: " + std::to_string(ingest_port) + "\n" + tls + limits +
                 "  api: {enabled: false, port: 3}\n"
                 "  admin: {port: " +
                 std::to_string(admin_port) +
                 "}\n"
                 "database:\n  dsn: \"host=127.0.0.1 port=" +
                 std::to_string(db_port) +
                 " dbname=none\"\n"
                 "  connect_timeout: 1s\n");
  process gw({GW_GATEWAY_BIN, "serve", "--config", (dir / "gateway.yaml").string()}, {},
             (dir / "gateway.log").string());
  ASSERT_TRUE(eventually([&] { return http_get(admin_port, "/healthz").status == 200; }))
      << read_file(dir / "gateway.log");

  tls_client_options as_42001{certs.ca(), good.cert, good.key};
  tls_client mllp(mllp_port, as_42001);
  ASSERT_TRUE(mllp.connected()) << mllp.error() << read_file(dir / "gateway.log");
  ASSERT_TRUE(mllp.send("\x0bMSH|^~\\&|HIS|42001|GW|SYT|20260101120000||ADT^A01|CTRL-1|P|2.5\rPID|1\r\x1c\x0d"));
  auto ack = mllp.read_mllp();
  ASSERT_TRUE(ack) << read_file(dir / "gateway.log");
  EXPECT_NE(ack->find("MSA|AR|CTRL-1"), std::string::npos) << *ack;  // not stored: send again later

  tls_client https(ingest_port, as_42001);
  auto r = https.http("POST", "/ingest", "application/xml", "<GIAMDINHHS/>");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.header("retry-after"), "30");

  tls_client stranger(mllp_port, {certs.ca(), unbound.cert, unbound.key});
  stranger.send("\x0bMSH|^~\\&|X\r\x1c\x0d");
  EXPECT_FALSE(stranger.read_mllp(5s));
  EXPECT_NE(read_file(dir / "gateway.log").find("reason=unknown_certificate"), std::string::npos);

  // SIGTERM with two idle kept-alive connections open: they are closed, the process exits 0.
  gw.signal(SIGTERM);
  auto rc = gw.wait_for(20s);
  ASSERT_TRUE(rc.has_value()) << read_file(dir / "gateway.log");
  EXPECT_EQ(*rc, 0);
  EXPECT_TRUE(mllp.wait_closed(5s));
  auto log = read_file(dir / "gateway.log");
  EXPECT_NE(log.find("event=drained"), std::string::npos) << log;
  EXPECT_EQ(log.find("GIAMDINHHS"), std::string::npos) << "message bodies must not be logged";
}

}  // namespace
}  // namespace gw::test
