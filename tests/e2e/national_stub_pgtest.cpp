// national-db-stub end to end: the real executable, real TLS with certificates made now, its own
// PostgreSQL database. What it stores, what it refuses and where, and the faults it injects.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/support/fhir_transaction.hpp"
#include "tests/support/stub_process.hpp"

namespace gw::test {
namespace {

constexpr const char* k_cccd = "http://fhir.ehealth.gov.vn/core/sid/national_id";

std::string patient(const std::string& id, const std::string& gender = "female", const std::string& version = "1",
                    const std::string& system = k_cccd) {
  return R"({"resourceType":"Patient","id":")" + id + R"(","meta":{"versionId":")" + version +
         R"(","source":"urn:emr-gateway:gw-test"},"identifier":[{"system":")" + system +
         R"(","value":"042090001234"}],"gender":")" + gender + R"(","birthDate":"1990-05-01"})";
}

std::string encounter(const std::string& id, const std::string& patient_id, const std::string& status = "finished") {
  return R"({"resourceType":"Encounter","id":")" + id + R"(","meta":{"versionId":"1"},"status":")" + status +
         R"(","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"IMP"},)" +
         R"("subject":{"reference":"Patient/)" + patient_id + R"("}})";
}

std::string condition(const std::string& id, const std::string& patient_id, const std::string& encounter_id) {
  return R"({"resourceType":"Condition","id":")" + id + R"(","subject":{"reference":"Patient/)" + patient_id +
         R"("},"encounter":{"reference":"Encounter/)" + encounter_id +
         R"("},"code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10","code":"J18.9"}]},)" +
         R"("valueQuantityProbe":null})";
}

/// A condition without the probe key (the key above is there only to make an invalid one).
std::string good_condition(const std::string& id, const std::string& patient_id, const std::string& encounter_id) {
  auto c = condition(id, patient_id, encounter_id);
  c.erase(c.find(R"(,"valueQuantityProbe":null)"), 26);
  return c;
}

std::string bundle(const std::vector<std::string>& resources) {
  return transaction_bundle(resources);
}

class national_stub : public ::testing::Test {
 protected:
  national_stub() : dir_("stubtest"), certs_(dir_ / "certs"), stub_(certs_) {}
  void SetUp() override { ASSERT_TRUE(stub_.start()) << stub_.log(); }

  http_answer_tls call(const std::string& method, const std::string& target, const std::string& body = "") {
    tls_client c(stub_.port(), stub_.client_options());
    if (!c.connected()) return {};
    return c.http(method, target, body.empty() ? "" : "application/fhir+json", body);
  }
  http_answer_tls post(const std::string& body) { return call("POST", "/fhir", body); }
  int count(const std::string& table) { return std::stoi(stub_.db("SELECT count(*) FROM " + table)); }

  temp_dir dir_;
  test_certs certs_;
  stub_process stub_;
};

TEST_F(national_stub, a_transaction_of_puts_is_stored_and_answered_per_entry) {
  auto a = post(bundle({patient("p1"), encounter("e1", "p1"), good_condition("c1", "p1", "e1")}));
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_NE(a.body.find(R"("type":"transaction-response")"), std::string::npos);
  EXPECT_NE(a.body.find(R"("status":"201 Created","location":"Patient/p1/_history/1","etag":"W/\"1\"")"),
            std::string::npos)
      << a.body;
  EXPECT_NE(a.body.find("Condition/c1/_history/1"), std::string::npos);
  EXPECT_EQ(count("resource"), 3);
  EXPECT_EQ(count("resource_history"), 3);
  EXPECT_EQ(stub_.db("SELECT string_agg(result, ',' ORDER BY seq) FROM receive_log"), "created,created,created");
}

TEST_F(national_stub, an_identical_put_makes_no_new_version_and_a_changed_one_does) {
  ASSERT_EQ(post(bundle({patient("p1")})).status, 200);
  // Same content, another meta (the gateway re-sending after a lost answer): unchanged.
  auto again = post(bundle({patient("p1", "female", "1")}));
  ASSERT_EQ(again.status, 200);
  EXPECT_NE(again.body.find(R"("status":"200 OK","location":"Patient/p1/_history/1")"), std::string::npos)
      << again.body;
  auto meta_only = call("PUT", "/fhir/Patient/p1", patient("p1", "female", "7"));
  EXPECT_EQ(meta_only.status, 200);
  EXPECT_EQ(meta_only.header("etag"), "W/\"1\"");
  EXPECT_EQ(stub_.db("SELECT version FROM resource WHERE id = 'p1'"), "1");
  EXPECT_EQ(count("resource_history"), 1);

  auto changed = post(bundle({patient("p1", "male", "2")}));
  ASSERT_EQ(changed.status, 200);
  EXPECT_NE(changed.body.find(R"("location":"Patient/p1/_history/2","etag":"W/\"2\"")"), std::string::npos);
  auto hist = call("GET", "/fhir/Patient/p1/_history");
  ASSERT_EQ(hist.status, 200);
  EXPECT_NE(hist.body.find(R"("type":"history","total":2)"), std::string::npos) << hist.body;
  auto read = call("GET", "/fhir/Patient/p1");
  ASSERT_EQ(read.status, 200);
  EXPECT_NE(read.body.find(R"("versionId": "2")"), std::string::npos) << read.body;  // jsonb text
  EXPECT_NE(read.body.find(R"("gender": "male")"), std::string::npos);
  EXPECT_EQ(stub_.db("SELECT string_agg(result, ',' ORDER BY seq) FROM receive_log"),
            "created,unchanged,unchanged,updated");
}

TEST_F(national_stub, concurrent_identical_puts_make_one_version) {
  std::string body = bundle({patient("p1"), encounter("e1", "p1")});
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      tls_client c(stub_.port(), stub_.client_options());
      if (c.http("POST", "/fhir", "application/fhir+json", body).status == 200) ++ok;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(stub_.db("SELECT max(version) FROM resource"), "1");
  EXPECT_EQ(count("resource_history"), 2);
  EXPECT_EQ(stub_.db("SELECT count(*) FROM receive_log WHERE result = 'created'"), "2");
  EXPECT_EQ(stub_.db("SELECT count(*) FROM receive_log WHERE result = 'unchanged'"), "14");
}

TEST_F(national_stub, read_search_and_metadata) {
  ASSERT_EQ(post(bundle({patient("p1"), encounter("e1", "p1"), encounter("e2", "p1", "in-progress"), patient("p2"),
                         encounter("e3", "p2")}))
                .status,
            200);
  auto missing = call("GET", "/fhir/Patient/nobody");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("OperationOutcome"), std::string::npos);
  auto by_patient = call("GET", "/fhir/Encounter?patient=p1");
  ASSERT_EQ(by_patient.status, 200);
  EXPECT_NE(by_patient.body.find(R"("type":"searchset","total":2)"), std::string::npos) << by_patient.body;
  EXPECT_EQ(call("GET", "/fhir/Encounter?subject=Patient/p2").body.find(R"("total":1)") != std::string::npos, true);
  auto by_id = call("GET", "/fhir/Encounter?_id=e3");
  EXPECT_NE(by_id.body.find(R"("total":1)"), std::string::npos);
  auto by_identifier = call(
      "GET", "/fhir/Patient?identifier=http%3A%2F%2Ffhir.ehealth.gov.vn%2Fcore%2Fsid%2Fnational_id%7C042090001234");
  EXPECT_NE(by_identifier.body.find(R"("total":2)"), std::string::npos) << by_identifier.body;
  auto counted = call("GET", "/fhir/Encounter?_count=1");
  EXPECT_NE(counted.body.find(R"("total":3)"), std::string::npos);
  EXPECT_EQ(call("GET", "/fhir/Encounter?colour=red").status, 400);
  auto meta = call("GET", "/fhir/metadata");
  ASSERT_EQ(meta.status, 200);
  EXPECT_NE(meta.body.find(R"("resourceType":"CapabilityStatement")"), std::string::npos);
  // The clinical types are advertised, the ones the stub never stores are not.
  for (const char* type : {"Patient", "Encounter", "Observation", "Coverage", "Provenance"})
    EXPECT_NE(meta.body.find(std::string(R"({"type":")") + type + "\""), std::string::npos) << type;
  for (const char* type : {"AuditEvent", "OperationOutcome", "Bundle"})
    EXPECT_EQ(meta.body.find(std::string(R"({"type":")") + type + "\""), std::string::npos) << type;
  EXPECT_NE(meta.body.find(R"("fhirVersion":"4.0.0")"), std::string::npos);
}

TEST_F(national_stub, invalid_entries_refuse_the_whole_bundle_with_their_index) {
  ASSERT_EQ(post(bundle({patient("p0")})).status, 200);
  int before = count("resource");
  // Invalid R4 at entry 2 (an element R4 does not have).
  auto invalid = post(bundle({patient("p1"), encounter("e1", "p1"), condition("c1", "p1", "e1")}));
  EXPECT_EQ(invalid.status, 422);
  EXPECT_NE(invalid.body.find("Bundle.entry[2]"), std::string::npos) << invalid.body;
  EXPECT_EQ(invalid.body.find("Bundle.entry[0]"), std::string::npos);
  // A Patient with neither CCCD nor record number at entry 1.
  auto anonymous = post(bundle({encounter("e1", "p0"), patient("p2", "female", "1", "urn:example:unknown")}));
  EXPECT_EQ(anonymous.status, 422);
  EXPECT_NE(anonymous.body.find("Bundle.entry[1].resource.identifier"), std::string::npos) << anonymous.body;
  // A reference to a resource neither in the Bundle nor stored (entry 1); p0 is stored: fine.
  auto dangling = post(bundle({encounter("e1", "p0"), encounter("e2", "p-missing")}));
  EXPECT_EQ(dangling.status, 422);
  EXPECT_NE(dangling.body.find("Bundle.entry[1].resource.subject.reference"), std::string::npos) << dangling.body;
  EXPECT_EQ(dangling.body.find("Bundle.entry[0]"), std::string::npos);
  EXPECT_EQ(count("resource"), before);
  EXPECT_EQ(count("receive_log"), 1);
  // The same through a single PUT.
  auto put = call("PUT", "/fhir/Encounter/e9", encounter("e9", "p-missing"));
  EXPECT_EQ(put.status, 422);
  EXPECT_NE(put.body.find("Encounter.subject.reference"), std::string::npos) << put.body;
  EXPECT_NE(stub_.stats().find(R"("refused":4)"), std::string::npos) << stub_.stats();
}

TEST_F(national_stub, junk_is_a_400) {
  auto junk = post("this is not json");
  EXPECT_EQ(junk.status, 400);
  EXPECT_NE(junk.body.find("OperationOutcome"), std::string::npos);
  EXPECT_EQ(post(R"({"resourceType":"Bundle","type":"batch","entry":[]})").status, 400);
  EXPECT_EQ(call("PUT", "/fhir/Patient/p1", patient("p2")).status, 400);
  EXPECT_EQ(call("DELETE", "/fhir/Patient/p1").status, 405);
  EXPECT_EQ(call("GET", "/elsewhere").status, 404);
  EXPECT_EQ(count("resource"), 0);
}

TEST_F(national_stub, only_the_listed_client_certificate_passes_the_handshake) {
  auto refused = [&](const tls_client_options& o) {
    tls_client c(stub_.port(), o);
    if (!c.connected()) return true;
    // TLS 1.3: the client finishes before the server checks its certificate; the alert comes next.
    return c.http("GET", "/fhir/metadata", "", "").status == 0;
  };
  auto stranger = certs_.client("stranger", "stranger.emr-gateway.test");
  auto untrusted = certs_.untrusted_client("forged-gateway", "gateway.emr-gateway.test");
  EXPECT_TRUE(refused({stub_.ca(), stranger.cert, stranger.key}));
  EXPECT_TRUE(refused({stub_.ca(), untrusted.cert, untrusted.key}));
  EXPECT_TRUE(refused({stub_.ca(), "", ""}));
  EXPECT_FALSE(refused(stub_.client_options()));
  EXPECT_TRUE(eventually([&] { return stub_.log().find("event=tls_handshake_failed") != std::string::npos; }));
  // Only the listed certificate got as far as a served connection.
  auto log = stub_.log();
  auto opened = log.find("event=connection_open");
  ASSERT_NE(opened, std::string::npos);
  EXPECT_EQ(log.find("event=connection_open", opened + 1), std::string::npos);
  EXPECT_NE(log.find("subject=\"CN=gateway.emr-gateway.test\"", opened), std::string::npos);
}

TEST_F(national_stub, with_error_rate_one_every_request_fails_and_nothing_is_stored) {
  ASSERT_TRUE(stub_.set_faults(R"({"seed":5,"error_rate":1})"));
  for (int i = 0; i < 10; ++i) {
    auto a = post(bundle({patient(std::string("p").append(std::to_string(i)))}));
    EXPECT_TRUE(a.status == 500 || a.status == 503) << a.status;
  }
  EXPECT_EQ(count("resource"), 0);
  EXPECT_EQ(count("receive_log"), 0);
  ASSERT_TRUE(stub_.clear_faults());
  EXPECT_EQ(post(bundle({patient("p1")})).status, 200);
}

TEST_F(national_stub, the_same_seed_replays_the_same_faults) {
  // Over real TLS requests: the n-th request's fate depends only on (seed, n), so setting the same
  // faults again replays the run; another seed gives another run.
  const auto run = [&](int seed) {
    EXPECT_TRUE(stub_.set_faults(R"({"seed":)" + std::to_string(seed) + R"(,"error_rate":0.5})"));
    std::string statuses;
    for (int i = 0; i < 24; ++i)
      statuses += post(bundle({patient(std::string("p").append(std::to_string(i)))})).status == 200 ? 'o' : 'x';
    return statuses;
  };
  const std::string first = run(7);
  EXPECT_NE(first.find('o'), std::string::npos) << first;
  EXPECT_NE(first.find('x'), std::string::npos) << first;
  EXPECT_EQ(run(7), first);
  EXPECT_NE(run(8), first);  // 24 coin flips: the same sequence by chance has a chance of 2^-24
}

TEST_F(national_stub, a_lost_response_stores_then_drops_the_connection) {
  ASSERT_TRUE(stub_.set_faults(R"({"seed":5,"drop_after_write_rate":1})"));
  tls_client c(stub_.port(), stub_.client_options());
  ASSERT_TRUE(c.connected());
  auto a = c.http("POST", "/fhir", "application/fhir+json", bundle({patient("p1"), encounter("e1", "p1")}));
  EXPECT_EQ(a.status, 0);  // no answer
  EXPECT_NE(c.last_end(), read_end::timeout);
  EXPECT_EQ(count("resource"), 2);
  // Reads are not dropped; the re-send is recognised as unchanged.
  EXPECT_EQ(call("GET", "/fhir/Patient/p1").status, 200);
  ASSERT_TRUE(stub_.clear_faults());
  auto again = post(bundle({patient("p1"), encounter("e1", "p1")}));
  EXPECT_EQ(again.status, 200);
  EXPECT_NE(again.body.find("200 OK"), std::string::npos);
  EXPECT_EQ(count("resource_history"), 2);
  EXPECT_NE(stub_.stats().find(R"("drop_after_write":1)"), std::string::npos) << stub_.stats();
}

TEST_F(national_stub, an_outage_answers_503_with_retry_after_then_recovers) {
  // Long enough for a TLS handshake on a busy machine under the sanitizers; the recovery is waited for.
  ASSERT_TRUE(stub_.outage(10));
  auto down = post(bundle({patient("p1")}));
  EXPECT_EQ(down.status, 503);
  EXPECT_FALSE(down.header("retry-after").empty());
  EXPECT_EQ(count("resource"), 0);
  EXPECT_TRUE(eventually([&] { return post(bundle({patient("p1")})).status == 200; }, std::chrono::seconds(40)));
  EXPECT_EQ(count("resource"), 1);
}

TEST_F(national_stub, configured_outage_windows_and_latency) {
  ASSERT_TRUE(
      stub_.set_faults(R"({"seed":1,"latency":{"ms":1,"jitter_ms":2},"outages":[{"after":"0s","duration":"10s"}]})"));
  EXPECT_EQ(post(bundle({patient("p1")})).status, 503);
  EXPECT_TRUE(eventually([&] { return post(bundle({patient("p1")})).status == 200; }, std::chrono::seconds(40)));
  auto faults = stub_.admin("GET", "/admin/faults");
  EXPECT_EQ(faults.status, 200);
  EXPECT_NE(faults.body.find(R"("jitter_ms":2)"), std::string::npos) << faults.body;
  EXPECT_EQ(stub_.admin("PUT", "/admin/faults", R"({"error_rate":3})").status, 400);
  EXPECT_EQ(stub_.admin("POST", "/admin/outage?seconds=abc").status, 400);
}

TEST_F(national_stub, slow_reads_make_a_large_request_miss_the_read_timeout) {
  // 50 bytes/s: a Bundle of a few kB cannot arrive within the stub's read_timeout (10 s here), so
  // the request is cut off unanswered and nothing is stored; a small GET still gets through.
  ASSERT_TRUE(stub_.set_faults(R"({"slow_read":{"bytes_per_second":50}})"));
  std::vector<std::string> many;
  for (int i = 0; i < 8; ++i) many.push_back(patient(std::string("p").append(std::to_string(i))));
  tls_client c(stub_.port(), stub_.client_options());
  ASSERT_TRUE(c.connected());
  auto a = c.http("POST", "/fhir", "application/fhir+json", bundle(many), "", std::chrono::seconds(40));
  EXPECT_EQ(a.status, 0);
  EXPECT_EQ(count("resource"), 0);
  EXPECT_TRUE(eventually([&] { return stub_.log().find("event=read_timeout") != std::string::npos; }));
}

TEST_F(national_stub, the_receive_log_keeps_arrival_order_and_source_versions) {
  ASSERT_EQ(post(bundle({patient("p1", "female", "1"), encounter("e1", "p1")})).status, 200);
  ASSERT_EQ(post(bundle({patient("p1", "male", "2")})).status, 200);
  ASSERT_EQ(post(bundle({patient("p1", "male", "2")})).status, 200);
  ASSERT_EQ(post(bundle({patient("p2")})).status, 200);
  EXPECT_EQ(stub_.db("SELECT string_agg(type || ':' || source_version || ':' || result || ':' || stub_version, ' ' "
                     "ORDER BY seq) FROM receive_log WHERE patient_id = 'p1'"),
            "Patient:1:created:1 Encounter:1:created:1 Patient:2:updated:2 Patient:2:unchanged:2");
  EXPECT_EQ(stub_.db("SELECT DISTINCT source FROM receive_log WHERE type = 'Patient'"), "urn:emr-gateway:gw-test");
  auto log = stub_.receive_log("p1");
  EXPECT_NE(log.find(R"("source_version": "1")"), std::string::npos) << log;
  EXPECT_EQ(log.find(R"("patient_id": "p2")"), std::string::npos);
  auto first = log.find(R"("result": "created")"), last = log.find(R"("result": "unchanged")");
  ASSERT_NE(last, std::string::npos) << log;
  EXPECT_LT(first, last);
  EXPECT_NE(stub_.receive_log().find(R"("patient_id": "p2")"), std::string::npos);
}

TEST_F(national_stub, sigterm_stops_it_cleanly) {
  ASSERT_EQ(post(bundle({patient("p1")})).status, 200);
  auto code = stub_.stop();
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 0);
  EXPECT_NE(stub_.log().find("event=stopped"), std::string::npos);
}

}  // namespace
}  // namespace gw::test
