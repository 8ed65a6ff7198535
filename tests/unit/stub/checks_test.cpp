// What the stub refuses before touching its database, and where it says the problem is.
#include <gtest/gtest.h>

#include <algorithm>

#include "gateway/stub/checks.hpp"
#include "tests/support/fhir_transaction.hpp"

namespace gw::stub {
namespace {

check_settings settings() {
  return {"http://fhir.ehealth.gov.vn/core/sid/national_id", {"urn:vn:cskcb:*:ma_bn", "urn:oid:*"}, {}};
}

std::string patient(const std::string& id, const std::string& system, const std::string& value = "042090001234") {
  return R"({"resourceType":"Patient","id":")" + id + R"(","meta":{"versionId":"3","source":"urn:emr-gateway:gw1"},)" +
         R"("identifier":[{"system":")" + system + R"(","value":")" + value + R"("}],"gender":"female"})";
}

std::string encounter(const std::string& id, const std::string& patient_id) {
  return R"({"resourceType":"Encounter","id":")" + id +
         R"(","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"IMP"},)" +
         R"("subject":{"reference":"Patient/)" + patient_id + R"("}})";
}

std::string bundle(const std::vector<std::string>& resources) {
  return test::transaction_bundle(resources);
}

bool has_issue_at(const checked_request& c, const std::string& prefix) {
  return std::any_of(c.issues.begin(), c.issues.end(),
                     [&](const fhir::issue& i) { return i.location.rfind(prefix, 0) == 0; });
}

TEST(stub_checks, a_valid_transaction_becomes_one_batch_with_patients_and_sources) {
  auto c = check_transaction(
      bundle({patient("p1", "http://fhir.ehealth.gov.vn/core/sid/national_id"), encounter("e1", "p1")}), settings());
  ASSERT_EQ(c.what, checked_request::verdict::ok) << (c.issues.empty() ? "" : c.issues[0].message);
  EXPECT_EQ(c.batch.count, 2u);
  EXPECT_EQ(c.keys, (std::vector<std::string>{"Patient/p1", "Encounter/e1"}));
  EXPECT_TRUE(c.batch.references.empty());  // Patient/p1 is in the same Bundle
  EXPECT_NE(c.batch.entries_json.find(R"("patient_id":"p1")"), std::string::npos);
  EXPECT_NE(c.batch.entries_json.find(R"("source_version":"3")"), std::string::npos);
  EXPECT_NE(c.batch.entries_json.find(R"("source":"urn:emr-gateway:gw1")"), std::string::npos);
}

TEST(stub_checks, a_record_number_system_from_the_patterns_is_enough) {
  auto c = check_transaction(bundle({patient("p1", "urn:vn:cskcb:42001:ma_bn", "BN001")}), settings());
  EXPECT_EQ(c.what, checked_request::verdict::ok);
  auto oid = check_transaction(bundle({patient("p1", "urn:oid:1.2.3.4", "BN001")}), settings());
  EXPECT_EQ(oid.what, checked_request::verdict::ok);
}

TEST(stub_checks, a_patient_without_cccd_or_record_number_is_refused_at_its_entry) {
  auto c = check_transaction(bundle({encounter("e0", "p0"), patient("p1", "urn:example:other", "X1")}), settings());
  EXPECT_EQ(c.what, checked_request::verdict::invalid);
  EXPECT_TRUE(has_issue_at(c, "Bundle.entry[1].resource.identifier"));
}

TEST(stub_checks, references_outside_the_bundle_are_left_for_the_database) {
  auto c = check_transaction(bundle({encounter("e1", "p9")}), settings());
  ASSERT_EQ(c.what, checked_request::verdict::ok);
  ASSERT_EQ(c.batch.references.size(), 1u);
  EXPECT_EQ(c.batch.references[0].type, "Patient");
  EXPECT_EQ(c.batch.references[0].id, "p9");
  EXPECT_EQ(c.batch.references[0].location, "Bundle.entry[0].resource.subject.reference");
}

TEST(stub_checks, invalid_r4_is_refused_with_the_entry_index) {
  std::string bad = R"({"resourceType":"Encounter","id":"e2","status":"not-a-status",)"
                    R"("class":{"code":"IMP"},"subject":{"reference":"Patient/p1"}})";
  auto c =
      check_transaction(bundle({patient("p1", "http://fhir.ehealth.gov.vn/core/sid/national_id"), bad}), settings());
  EXPECT_EQ(c.what, checked_request::verdict::invalid);
  EXPECT_TRUE(has_issue_at(c, "Bundle.entry[1]"));
  EXPECT_FALSE(has_issue_at(c, "Bundle.entry[0]"));
}

TEST(stub_checks, only_puts_of_the_resources_own_url) {
  std::string b = bundle({encounter("e1", "p1")});
  auto post = b;
  post.replace(post.find("\"PUT\""), 5, "\"POST\"");
  EXPECT_TRUE(has_issue_at(check_transaction(post, settings()), "Bundle.entry[0].request.method"));
  auto wrong_url = b;
  wrong_url.replace(wrong_url.find("Encounter/e1\"}"), 12, "Encounter/e2");
  EXPECT_TRUE(has_issue_at(check_transaction(wrong_url, settings()), "Bundle.entry[0].request.url"));
}

TEST(stub_checks, the_same_resource_twice_is_refused) {
  auto c = check_transaction(bundle({encounter("e1", "p1"), encounter("e1", "p1")}), settings());
  EXPECT_EQ(c.what, checked_request::verdict::invalid);
  EXPECT_TRUE(has_issue_at(c, "Bundle.entry[1]"));
}

TEST(stub_checks, junk_and_other_bundles_are_malformed) {
  EXPECT_EQ(check_transaction("not json", settings()).what, checked_request::verdict::malformed);
  EXPECT_EQ(check_transaction("[1,2]", settings()).what, checked_request::verdict::malformed);
  EXPECT_EQ(check_transaction(R"({"resourceType":"Bundle","type":"batch","entry":[]})", settings()).what,
            checked_request::verdict::malformed);
  EXPECT_EQ(check_transaction(patient("p1", "x"), settings()).what, checked_request::verdict::malformed);
}

TEST(stub_checks, a_single_put_must_match_its_url) {
  auto ok = check_put(patient("p1", "urn:oid:1.2"), "Patient", "p1", settings());
  EXPECT_EQ(ok.what, checked_request::verdict::ok);
  EXPECT_EQ(check_put(patient("p1", "urn:oid:1.2"), "Patient", "p2", settings()).what,
            checked_request::verdict::malformed);
  auto no_id = check_put(patient("p1", "urn:example:x"), "Patient", "p1", settings());
  EXPECT_EQ(no_id.what, checked_request::verdict::invalid);
  EXPECT_TRUE(has_issue_at(no_id, "Patient.identifier"));
}

TEST(stub_checks, glob_patterns) {
  EXPECT_TRUE(glob_match("urn:vn:cskcb:*:ma_bn", "urn:vn:cskcb:42001:ma_bn"));
  EXPECT_FALSE(glob_match("urn:vn:cskcb:*:ma_bn", "urn:vn:cskcb:42001:ma_lk"));
  EXPECT_TRUE(glob_match("urn:oid:*", "urn:oid:1.2"));
  EXPECT_TRUE(glob_match("exact", "exact"));
  EXPECT_FALSE(glob_match("exact", "exactly"));
}

}  // namespace
}  // namespace gw::stub
