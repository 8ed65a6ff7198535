// bundle_to_writes: each resource's stored JSON has the Bundle's `urn:uuid:` references resolved
// to `Type/id`; anything else that looks like one is left as it is.
#include "gateway/ingest/bundle_writes.hpp"

#include <gtest/gtest.h>

#include <string>

#include "fhir/bundle.hpp"
#include "fhir/json.hpp"

namespace gw::ingest {
namespace {

constexpr const char* k_patient = "0b9f1c8e-6a51-5d3c-9a47-2f3e4d5c6b7a";
constexpr const char* k_encounter = "1c2d3e4f-5a6b-5c7d-8e9f-0a1b2c3d4e5f";
constexpr const char* k_absent = "99999999-8888-5777-a666-555544443333";  // no entry has this id

fhir::Bundle sample_bundle() {
  fhir::Bundle b;
  b.type = "transaction";
  fhir::Patient p;
  p.id = k_patient;
  b.entry.push_back(fhir::put_entry(std::move(p)));
  fhir::Encounter e;
  e.id = k_encounter;
  e.status = "finished";
  e.subject = fhir::Reference{.reference = std::string("urn:uuid:") + k_patient};
  b.entry.push_back(fhir::put_entry(std::move(e)));
  fhir::Observation o;
  o.id = "2d3e4f5a-6b7c-5d8e-9f0a-1b2c3d4e5f6a";
  o.status = "final";
  o.code.text = "note";
  o.subject = fhir::Reference{.reference = std::string("urn:uuid:") + k_patient};
  o.encounter = fhir::Reference{.reference = std::string("urn:uuid:") + k_encounter};
  o.performer.push_back(fhir::Reference{.reference = std::string("urn:uuid:") + k_absent});
  o.note.push_back(fhir::Annotation{.text = "see urn:uuid:short and \"urn:uuid:" + std::string(k_patient)});
  o.value = std::string("urn:uuid:") + k_encounter;  // a urn string outside a Reference
  b.entry.push_back(fhir::put_entry(std::move(o)));
  return b;
}

TEST(bundle_writes, urn_references_to_entries_become_type_and_id) {
  const fhir::Bundle b = sample_bundle();
  translation out;
  bundle_to_writes(b, "42001", fhir::identifier_systems{}, out);
  ASSERT_EQ(out.resources.size(), 3u);

  // No `urn:uuid:` in the Patient: stored exactly as written.
  EXPECT_EQ(out.resources[0].json, fhir::to_json(b.entry[0].resource));
  EXPECT_EQ(out.resources[0].patient_id, k_patient);

  const std::string& enc = out.resources[1].json;
  EXPECT_NE(enc.find(std::string(R"("subject":{"reference":"Patient/)") + k_patient + "\"}"), std::string::npos) << enc;
  EXPECT_EQ(enc.find("urn:uuid:"), std::string::npos) << enc;
  EXPECT_EQ(out.resources[1].patient_id, k_patient);

  const std::string& obs = out.resources[2].json;
  EXPECT_NE(obs.find(std::string(R"("subject":{"reference":"Patient/)") + k_patient + "\"}"), std::string::npos) << obs;
  EXPECT_NE(obs.find(std::string(R"("encounter":{"reference":"Encounter/)") + k_encounter + "\"}"), std::string::npos)
      << obs;
  // An id that is not an entry of the Bundle stays a urn.
  EXPECT_NE(obs.find(std::string(R"("reference":"urn:uuid:)") + k_absent + "\""), std::string::npos) << obs;
  // Inside free text (not a whole JSON string) nothing changes, not even after an escaped quote.
  EXPECT_NE(obs.find("see urn:uuid:short and \\\"urn:uuid:" + std::string(k_patient)), std::string::npos) << obs;
  // Any whole JSON string that is the urn of an entry is resolved (as a FHIR server does).
  EXPECT_NE(obs.find(std::string(R"("valueString":"Encounter/)") + k_encounter + "\""), std::string::npos) << obs;
}

TEST(bundle_writes, a_literal_backslash_u0000_in_text_is_no_nul) {
  fhir::Bundle b = sample_bundle();
  std::get<fhir::Observation>(b.entry[2].resource.get()).note.front().text = "path C:\\u0000data";
  translation out;
  bundle_to_writes(b, "42001", fhir::identifier_systems{}, out);
  EXPECT_TRUE(out.issues.empty());
  ASSERT_EQ(out.resources.size(), 3u);
  EXPECT_NE(out.resources[2].json.find(R"(path C:\\u0000data)"), std::string::npos) << out.resources[2].json;
}

TEST(bundle_writes, text_with_nul_is_a_content_error_and_nothing_is_written) {
  fhir::Bundle b = sample_bundle();
  std::get<fhir::Observation>(b.entry[2].resource.get()).note.front().text = std::string("a\0b", 3);
  translation out;
  bundle_to_writes(b, "42001", fhir::identifier_systems{}, out);
  EXPECT_TRUE(out.resources.empty());
  EXPECT_TRUE(out.links.empty());
  ASSERT_EQ(out.issues.size(), 1u);
  EXPECT_TRUE(fhir::has_errors(out.issues));
  EXPECT_EQ(out.issues[0].location, "Bundle.entry[2] (Observation)");
  EXPECT_NE(out.issues[0].message.find("NUL"), std::string::npos);
}

}  // namespace
}  // namespace gw::ingest
