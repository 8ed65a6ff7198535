// The gateway as hospitals meet it: a real emr-gateway process, real TLS with certificates made
// for the test, real PostgreSQL. Every sample goes in over MLLP/TLS or HTTPS and gets the answer
// ARCHITECTURE.md promises; what was acknowledged is in the store; refusals are clear.
#include <gtest/gtest.h>

#include <signal.h>

#include "tests/support/gateway_process.hpp"

namespace gw::test {
namespace {

std::string sample(const std::string& rel) {
  return read_file(std::string(GW_SHARED_DIR) + "/samples/" + rel);
}

struct ingest_e2e : ::testing::Test {
  gateway_process gw;
  void SetUp() override { ASSERT_TRUE(gw.start()) << gw.log(); }

  /// One MLLP exchange on a new connection.
  std::string mllp_exchange(const std::string& facility, const std::string& message) {
    tls_client c(gw.mllp_port(), gw.as_facility(facility));
    if (!c.connected() || !c.send(mllp_frame(message))) return {};
    return c.read_mllp().value_or(std::string());
  }
};

TEST_F(ingest_e2e, every_hl7_sample_over_mllp_tls_gets_the_right_acknowledgement) {
  tls_client c(gw.mllp_port(), gw.as_facility("42001"));
  ASSERT_TRUE(c.connected());
  for (auto name : {"adt-a01-admit-42001.hl7", "adt-a08-update-42001.hl7", "oru-r01-cbc-42001.hl7",
                    "oru-r01-xray-report-42001.hl7", "adt-a03-discharge-42001.hl7"}) {
    ASSERT_TRUE(c.send(mllp_frame(sample(std::string("hl7v2/") + name))));
    auto ack = c.read_mllp();
    ASSERT_TRUE(ack) << name;
    EXPECT_EQ(msa_code(*ack), "AA") << name << ": " << *ack;
  }
  ASSERT_TRUE(c.send(mllp_frame(sample("hl7v2/malformed-missing-msh9-42001.hl7"))));
  auto ae = c.read_mllp();
  ASSERT_TRUE(ae);
  EXPECT_EQ(msa_code(*ae), "AE");
  EXPECT_NE(ae->find("MSH^1^9|101^"), std::string::npos) << *ae;

  EXPECT_EQ(msa_code(mllp_exchange("42005", sample("hl7v2/adt-a04-enhanced-ack-42005.hl7"))), "CA");
  EXPECT_EQ(msa_code(mllp_exchange("42007", sample("hl7v2/adt-a40-merge-42007.hl7"))), "AA");

  EXPECT_EQ(gw.db("SELECT count(*) FROM inbound_message WHERE outcome = 'accepted'"), "7");
  EXPECT_EQ(gw.db("SELECT count(*) FROM inbound_message WHERE outcome = 'rejected'"), "1");
  EXPECT_EQ(gw.db("SELECT count(*) FROM resource WHERE type = 'DiagnosticReport'"), "2");
}

TEST_F(ingest_e2e, qd130_envelope_over_https_and_a_resend_that_creates_nothing) {
  tls_client c(gw.ingest_port(), gw.as_facility("42001"));
  ASSERT_TRUE(c.connected());
  auto body = sample("vn-xml130/giamdinhhs-inpatient-pneumonia.xml");
  auto a = c.http("POST", "/ingest", "application/xml", body);
  EXPECT_EQ(a.status, 200) << a.body;
  EXPECT_NE(a.body.find("OperationOutcome"), std::string::npos);
  auto versions = gw.db("SELECT count(*) FROM resource_version");
  auto again = c.http("POST", "/ingest", "application/xml", body);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, a.body);
  EXPECT_EQ(gw.db("SELECT count(*) FROM resource_version"), versions);
  EXPECT_EQ(gw.db("SELECT count(*) FROM inbound_message"), "1");
}

TEST_F(ingest_e2e, refusals_are_clear) {
  // A certificate from a CA the gateway does not trust: no exchange at all.
  auto stranger = gw.certs().untrusted_client("stranger", "facility-42001.emr-gateway.test");
  tls_client bad(gw.mllp_port(), {gw.certs().ca(), stranger.cert, stranger.key});
  bool answered = bad.connected() && bad.send(mllp_frame(sample("hl7v2/adt-a01-admit-42001.hl7"))) &&
                  bad.read_mllp(std::chrono::seconds(5)).has_value();
  EXPECT_FALSE(answered);

  // A trusted certificate of another facility sending 42001's message: AE, kept, nothing mapped.
  auto ack = mllp_exchange("42005", sample("hl7v2/adt-a01-admit-42001.hl7"));
  EXPECT_EQ(msa_code(ack), "AE") << ack;
  EXPECT_EQ(gw.db("SELECT answer_status FROM inbound_message"), "403");
  EXPECT_EQ(gw.db("SELECT count(*) FROM resource"), "0");

  // HTTPS with a content type the facility does not send.
  tls_client h(gw.ingest_port(), gw.as_facility("42002"));
  auto a = h.http("POST", "/ingest", "application/pdf", "%PDF");
  EXPECT_EQ(a.status, 415) << a.body;
}

TEST_F(ingest_e2e, database_down_answers_ar_and_503_then_work_resumes) {
  gw.pg().stop();
  auto ack = mllp_exchange("42001", sample("hl7v2/adt-a01-admit-42001.hl7"));
  EXPECT_EQ(msa_code(ack), "AR") << ack;
  tls_client h(gw.ingest_port(), gw.as_facility("42001"));
  auto a = h.http("POST", "/ingest", "application/xml", sample("vn-xml130/giamdinhhs-inpatient-pneumonia.xml"));
  EXPECT_EQ(a.status, 503) << a.body;
  EXPECT_FALSE(a.header("retry-after").empty());
  gw.pg().start();
  EXPECT_TRUE(
      eventually([&] { return msa_code(mllp_exchange("42001", sample("hl7v2/adt-a01-admit-42001.hl7"))) == "AA"; }));
  EXPECT_EQ(gw.db("SELECT count(*) FROM inbound_message"), "1");  // nothing half-written while down
}

TEST_F(ingest_e2e, sigterm_stops_cleanly) {
  EXPECT_EQ(msa_code(mllp_exchange("42001", sample("hl7v2/adt-a01-admit-42001.hl7"))), "AA");
  gw.proc().signal(SIGTERM);
  auto rc = gw.proc().wait_for(std::chrono::seconds(30));
  ASSERT_TRUE(rc);
  EXPECT_EQ(*rc, 0) << gw.log();
}

}  // namespace
}  // namespace gw::test
