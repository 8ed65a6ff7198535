// The whole ingest pipeline in one process against a real PostgreSQL: the shipped samples in,
// answers out exactly as ARCHITECTURE.md says, and the store's content checked after each.
#include <gtest/gtest.h>

#include <cstdlib>

#include "gateway/config/config.hpp"
#include "gateway/ingest/pipeline.hpp"
#include "gateway/store/database.hpp"
#include "gateway/store/ingest_store.hpp"
#include "tests/support/pg_database.hpp"
#include "tests/support/run_awaitable.hpp"
#include "tests/support/temp_dir.hpp"

namespace gw::ingest {
namespace {

using test::pg_database;
using test::run_awaitable;

std::string sample(const std::string& rel) {
  return test::read_file(std::string(GW_SHARED_DIR) + "/samples/" + rel);
}

config::gateway_config shipped_config() {
  test::temp_dir certs("certs");
  for (auto f : {"gateway.crt", "gateway.key", "ca.crt"}) test::write_file(certs / f, "x");
  ::setenv("GW_CERT_DIR", certs.path().c_str(), 1);
  auto r = config::load_config(std::filesystem::path(GW_SOURCE_DIR) / "config/gateway.yaml");
  ::unsetenv("GW_CERT_DIR");
  if (!r.config) throw std::runtime_error("shipped config does not load");
  return *r.config;
}

/// MSA-1 of an ACK.
std::string msa_code(const std::string& ack) {
  auto at = ack.find("\rMSA|");
  return at == std::string::npos ? std::string() : ack.substr(at + 5, 2);
}

struct pipeline_test : ::testing::Test {
  config::gateway_config cfg = shipped_config();
  pg_database pg;
  store::database db{{pg.dsn(), 2, std::chrono::seconds(3), std::chrono::seconds(15)}};
  std::shared_ptr<store::ingest_store> st = std::make_shared<store::ingest_store>(db);
  pipeline p{cfg, st, default_translators(cfg)};

  void SetUp() override {
    db.migrate_sync();
    run_awaitable(st->maintain_partitions(2, 120));
  }
  response send(const std::string& facility, config::transport t, std::string body, std::string content_type = {}) {
    request r;
    r.facility = cfg.find_facility(facility);
    r.transport = t;
    r.content_type = std::move(content_type);
    r.body = std::move(body);
    r.received_at = std::chrono::system_clock::now();
    r.peer = "test";
    return run_awaitable(p.handle(std::move(r)));
  }
  response mllp(const std::string& facility, std::string body) {
    return send(facility, config::transport::mllp, std::move(body));
  }
};

TEST_F(pipeline_test, hl7_admission_is_acknowledged_after_it_is_stored) {
  auto body = sample("hl7v2/adt-a01-admit-42001.hl7");
  auto r = mllp("42001", body);
  EXPECT_EQ(msa_code(r.body), "AA") << r.body;
  EXPECT_EQ(pg.scalar("SELECT outcome FROM inbound_message"), "accepted");
  // The bytes exactly as received, and the answer exactly as sent.
  EXPECT_EQ(pg.scalar("SELECT length(raw) FROM inbound_message"), std::to_string(body.size()));
  EXPECT_EQ(pg.scalar("SELECT encode(sha256(raw), 'hex') = encode(sha256, 'hex') FROM inbound_message"), "t");
  EXPECT_EQ(pg.scalar("SELECT convert_from(answer, 'UTF8') FROM inbound_message"), r.body);
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM resource WHERE type = 'Patient'"), "1");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM resource WHERE type = 'Encounter'"), "1");
  // References inside stored resources point at stored resources (Type/id), not urn:uuid.
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM resource WHERE content::text LIKE '%urn:uuid:%'"), "0");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM resource r WHERE r.type = 'Encounter' AND EXISTS "
                      "(SELECT 1 FROM resource p WHERE p.type = 'Patient' AND 'Patient/' || p.id = "
                      "r.content->'subject'->>'reference')"),
            "1");
  // Every resource of the patient is ordered under the patient's key.
  EXPECT_EQ(pg.scalar("SELECT count(DISTINCT patient_key) FROM outbox WHERE resource_type <> 'Organization'"), "1");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM patient_link WHERE person_id IS NOT NULL"), "1");
}

TEST_F(pipeline_test, resend_gets_the_same_answer_and_creates_nothing) {
  auto body = sample("hl7v2/adt-a01-admit-42001.hl7");
  auto first = mllp("42001", body);
  auto rows = pg.scalar("SELECT count(*) FROM resource_version");
  auto again = mllp("42001", body);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM inbound_message"), "1");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM resource_version"), rows);
}

TEST_F(pipeline_test, a_retransmission_with_other_line_ends_is_a_duplicate_not_a_conflict) {
  auto body = sample("hl7v2/adt-a01-admit-42001.hl7");
  auto first = mllp("42001", body);
  ASSERT_EQ(msa_code(first.body), "AA") << first.body;
  for (const std::string end : {"\r\n", "\n"}) {
    std::string converted;
    for (char c : body) c == '\r' ? converted += end : converted += c;
    auto again = mllp("42001", converted);
    EXPECT_EQ(again.body, first.body);  // the stored answer
  }
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM inbound_message"), "1");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM inbound_message WHERE outcome = 'rejected'"), "0");
}

TEST_F(pipeline_test, same_control_id_with_different_content_is_refused_with_205) {
  auto body = sample("hl7v2/adt-a01-admit-42001.hl7");
  mllp("42001", body);
  auto changed = body;
  changed.replace(changed.find("Nguyễn"), std::string("Nguyễn").size(), "Trần");
  auto r = mllp("42001", changed);
  EXPECT_EQ(msa_code(r.body), "AE") << r.body;
  EXPECT_NE(r.body.find("|205^"), std::string::npos) << r.body;
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM inbound_message WHERE outcome = 'rejected'"), "1");
  EXPECT_EQ(pg.scalar("SELECT answer_status FROM inbound_message WHERE outcome = 'rejected'"), "409");
  EXPECT_EQ(pg.scalar("SELECT max(version) FROM resource WHERE type = 'Patient'"), "1");
}

TEST_F(pipeline_test, same_control_id_with_different_content_over_https_is_409) {
  // 42001 also posting HL7 v2 over HTTPS (the shipped configuration has it on MLLP only).
  for (auto& f : cfg.facilities)
    if (f.code == "42001") f.feeds.push_back({config::feed_format::hl7v2, config::transport::https});
  auto body = sample("hl7v2/adt-a01-admit-42001.hl7");
  auto first = send("42001", config::transport::https, body, "x-application/hl7-v2+er7");
  ASSERT_EQ(first.http_status, 200) << first.body;
  auto changed = body;
  changed.replace(changed.find("Nguyễn"), std::string("Nguyễn").size(), "Trần");
  auto r = send("42001", config::transport::https, changed, "x-application/hl7-v2+er7");
  EXPECT_EQ(r.http_status, 409) << r.body;
  EXPECT_NE(r.body.find("\"resourceType\":\"OperationOutcome\""), std::string::npos) << r.body;
  EXPECT_EQ(pg.scalar("SELECT max(version) FROM resource WHERE type = 'Patient'"), "1");
}

TEST_F(pipeline_test, two_systems_of_one_hospital_may_use_the_same_control_id) {
  // The LIS and the PACS of 42001 count their control ids each on their own.
  auto lis = sample("hl7v2/oru-r01-cbc-42001.hl7");
  auto pacs = sample("hl7v2/oru-r01-xray-report-42001.hl7");
  const auto control_id = [](const std::string& m) {
    std::size_t at = 0;
    for (int bars = 0; bars < 9; ++bars) at = m.find('|', at) + 1;
    return m.substr(at, m.find('|', at) - at);
  };
  const auto set_control_id = [&](std::string m, const std::string& id) {
    const auto old = control_id(m);
    m.replace(m.find("|" + old + "|") + 1, old.size(), id);
    return m;
  };
  lis = set_control_id(lis, "CTL-1001");
  pacs = set_control_id(pacs, "CTL-1001");
  ASSERT_NE(lis.substr(0, 20), pacs.substr(0, 20));  // different MSH-3
  EXPECT_EQ(msa_code(mllp("42001", lis).body), "AA");
  auto r = mllp("42001", pacs);
  EXPECT_EQ(msa_code(r.body), "AA") << r.body;
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM inbound_message WHERE outcome = 'accepted'"), "2");
}

TEST_F(pipeline_test, a_stored_answer_is_never_sent_over_the_other_transport) {
  // Not HL7 at all, over MLLP: answered with an ACK. The same bytes posted over HTTPS get an
  // OperationOutcome, not the stored ACK.
  const std::string junk = "not-hl7-at-all";
  auto over_mllp = mllp("42001", junk);
  EXPECT_EQ(msa_code(over_mllp.body), "AE") << over_mllp.body;
  auto over_https = send("42001", config::transport::https, junk, "application/xml");
  EXPECT_NE(over_https.body.find("\"resourceType\":\"OperationOutcome\""), std::string::npos) << over_https.body;
  EXPECT_EQ(over_https.body.find("MSH|"), std::string::npos) << over_https.body;
}

TEST_F(pipeline_test, merge_keeps_both_records_linked) {
  auto r = mllp("42007", sample("hl7v2/adt-a40-merge-42007.hl7"));
  EXPECT_EQ(msa_code(r.body), "AA") << r.body;
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM resource WHERE type = 'Patient' AND content ? 'link'"), "2");
}

TEST_F(pipeline_test, malformed_message_is_answered_ae_naming_msh9_and_kept) {
  auto r = mllp("42001", sample("hl7v2/malformed-missing-msh9-42001.hl7"));
  EXPECT_EQ(msa_code(r.body), "AE") << r.body;
  EXPECT_NE(r.body.find("MSH^1^9"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("|101^"), std::string::npos) << r.body;
  // Each problem is reported once.
  EXPECT_EQ(r.body.find("ERR|"), r.body.rfind("ERR|")) << r.body;
  EXPECT_EQ(pg.scalar("SELECT outcome FROM inbound_message"), "rejected");
  EXPECT_EQ(pg.scalar("SELECT issues::text LIKE '%MSH^1^9%' FROM inbound_message"), "t");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM resource"), "0");
}

TEST_F(pipeline_test, enhanced_mode_gets_a_commit_acknowledgement) {
  auto r = mllp("42005", sample("hl7v2/adt-a04-enhanced-ack-42005.hl7"));
  EXPECT_EQ(msa_code(r.body), "CA") << r.body;
  EXPECT_EQ(pg.scalar("SELECT outcome FROM inbound_message"), "accepted");
}

TEST_F(pipeline_test, facility_in_message_must_be_the_authenticated_one) {
  // 42001's message arriving on 42005's authenticated connection.
  auto r = mllp("42005", sample("hl7v2/adt-a01-admit-42001.hl7"));
  EXPECT_EQ(msa_code(r.body), "AE") << r.body;
  EXPECT_NE(r.body.find("ERR||MSH^1^4|"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("MSH-4 names facility 42001, but the sender's certificate is facility 42005's"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(pg.scalar("SELECT answer_status FROM inbound_message"), "403");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM resource"), "0");
}

TEST_F(pipeline_test, qd130_envelope_naming_another_facility_is_refused_with_403_and_kept) {
  auto body = sample("vn-xml130/giamdinhhs-inpatient-pneumonia.xml");
  const std::string own = "<MACSKCB>42001</MACSKCB>";
  ASSERT_NE(body.find(own), std::string::npos);
  body.replace(body.find(own), own.size(), "<MACSKCB>42002</MACSKCB>");
  auto r = send("42001", config::transport::https, body, "application/xml");
  EXPECT_EQ(r.http_status, 403) << r.body;
  EXPECT_NE(r.body.find("not the authenticated facility"), std::string::npos) << r.body;
  // Both codes, so the sender sees which is wrong.
  EXPECT_NE(r.body.find("MACSKCB names facility 42002, but the sender's certificate is facility 42001's"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(pg.scalar("SELECT outcome || ' ' || answer_status FROM inbound_message"), "rejected 403");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM resource"), "0");
}

TEST_F(pipeline_test, qd130_envelope_over_https_is_accepted_with_an_operation_outcome) {
  auto r = send("42001", config::transport::https, sample("vn-xml130/giamdinhhs-inpatient-pneumonia.xml"),
                "application/xml");
  EXPECT_EQ(r.http_status, 200) << r.body;
  EXPECT_NE(r.body.find("\"resourceType\":\"OperationOutcome\""), std::string::npos);
  EXPECT_NE(r.body.find("accepted"), std::string::npos) << r.body;
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM resource WHERE type = 'MedicationRequest'"), "2");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM resource WHERE content::text LIKE '%urn:uuid:%'"), "0");
}

TEST_F(pipeline_test, the_same_episode_as_hl7_and_qd130_converges_on_one_patient_encounter_and_condition) {
  auto h = mllp("42001", sample("hl7v2/adt-a01-admit-42001.hl7"));
  ASSERT_EQ(msa_code(h.body), "AA") << h.body;
  ASSERT_EQ(pg.scalar("SELECT count(*) FROM resource WHERE type = 'Patient'"), "1");
  auto r = send("42001", config::transport::https, sample("vn-xml130/giamdinhhs-inpatient-pneumonia.xml"), "text/xml");
  ASSERT_EQ(r.http_status, 200) << r.body;
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM resource WHERE type = 'Patient'"), "1");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM resource WHERE type = 'Encounter'"), "1");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM resource WHERE type = 'Condition' AND content::text LIKE '%\"J18.9\"%'"),
            "1");
}

TEST_F(pipeline_test, unsupported_content_type_is_refused_clearly_and_kept) {
  auto r = send("42002", config::transport::https, "%PDF-1.4", "application/pdf");
  EXPECT_EQ(r.http_status, 415) << r.body;
  EXPECT_NE(r.body.find("application/pdf"), std::string::npos);
  EXPECT_EQ(pg.scalar("SELECT outcome FROM inbound_message"), "rejected");
}

TEST_F(pipeline_test, a_file_refused_for_its_content_type_can_be_sent_again_with_the_right_one) {
  const auto body = sample("vn-xml130/giamdinhhs-inpatient-pneumonia.xml");
  auto wrong = send("42001", config::transport::https, body, "text/plain");
  EXPECT_EQ(wrong.http_status, 415) << wrong.body;
  auto again = send("42001", config::transport::https, body, "text/plain");  // the same mistake: the same answer
  EXPECT_EQ(again.http_status, 415) << again.body;
  EXPECT_EQ(again.body, wrong.body);
  auto right = send("42001", config::transport::https, body, "application/xml");
  EXPECT_EQ(right.http_status, 200) << right.body;
  EXPECT_EQ(pg.scalar("SELECT string_agg(outcome, ',' ORDER BY received_at) FROM inbound_message"),
            "rejected,accepted");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM resource WHERE type = 'MedicationRequest'"), "2");
}

TEST_F(pipeline_test, bad_xml_gets_422_naming_the_problem) {
  auto r = send("42002", config::transport::https, "<GIAMDINHHS><THONGTINDONVI>", "application/xml");
  EXPECT_EQ(r.http_status, 422) << r.body;
  EXPECT_NE(r.body.find("\"severity\":\"error\""), std::string::npos) << r.body;
  EXPECT_EQ(pg.scalar("SELECT outcome FROM inbound_message"), "rejected");
}

TEST_F(pipeline_test, shutting_down_answers_ar_and_stores_nothing) {
  p.begin_shutdown();
  auto r = mllp("42001", sample("hl7v2/adt-a01-admit-42001.hl7"));
  EXPECT_EQ(msa_code(r.body), "AR") << r.body;
  EXPECT_EQ(r.http_status, 503);
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM inbound_message"), "0");
}

TEST(pipeline_unavailable, database_down_answers_ar_503_with_retry_after) {
  auto cfg = shipped_config();
  store::database db{{"host=127.0.0.1 port=1 dbname=none", 1, std::chrono::seconds(1), std::chrono::seconds(5)}};
  auto st = std::make_shared<store::ingest_store>(db);
  pipeline p{cfg, st, default_translators(cfg)};
  request r;
  r.facility = cfg.find_facility("42001");
  r.transport = config::transport::https;
  r.content_type = "application/xml";
  r.body = sample("vn-xml130/giamdinhhs-inpatient-pneumonia.xml");
  r.received_at = std::chrono::system_clock::now();
  auto a = run_awaitable(p.handle(std::move(r)));
  EXPECT_EQ(a.http_status, 503);
  ASSERT_TRUE(a.retry_after_seconds);
  EXPECT_NE(a.body.find("transient"), std::string::npos) << a.body;
}

}  // namespace
}  // namespace gw::ingest
