#include "fhir/validate.hpp"

#include "fhir/outcome.hpp"
#include "tests/unit/fhir/fhir_samples.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace gw::fhir {
namespace {
bool has(const issue_list& l, issue_code code, std::string_view loc, severity sev = severity::error) {
  return std::any_of(l.begin(), l.end(),
                     [&](const issue& i) { return i.code == code && i.location == loc && i.severity == sev; });
}
std::string dump(const issue_list& issues) {
  std::string s;
  for (const auto& i : issues) s += std::string(to_string(i.code)) + " @ " + i.location + ": " + i.message + "\n";
  return s;
}
}  // namespace

TEST(validate, required_elements_and_bindings) {
  Encounter e;
  e.status = "done";
  e.class_ = {.system = "http://terminology.hl7.org/CodeSystem/v3-ActCode", .code = "XYZ"};
  issue_list l;
  EXPECT_FALSE(validate(e, l));
  EXPECT_TRUE(has(l, issue_code::code_invalid, "Encounter.status")) << dump(l);
  EXPECT_TRUE(has(l, issue_code::code_invalid, "Encounter.class.code", severity::warning)) << dump(l);

  Observation o;
  l.clear();
  EXPECT_FALSE(validate(o, l));
  EXPECT_TRUE(has(l, issue_code::required, "Observation.status")) << dump(l);
  EXPECT_TRUE(has(l, issue_code::required, "Observation.code")) << dump(l);
  o.status = "final";
  o.code.text = "x";
  o.category.push_back(
      {.coding = {{.system = "http://terminology.hl7.org/CodeSystem/observation-category", .code = "lab"}}});
  l.clear();
  EXPECT_FALSE(validate(o, l));
  EXPECT_TRUE(has(l, issue_code::code_invalid, "Observation.category[0].coding[0].code")) << dump(l);

  MedicationAdministration m;
  l.clear();
  validate(m, l);
  EXPECT_TRUE(has(l, issue_code::required, "MedicationAdministration.medication[x]")) << dump(l);
  EXPECT_TRUE(has(l, issue_code::required, "MedicationAdministration.effective[x]")) << dump(l);
}

TEST(validate, primitive_formats) {
  Patient p;
  p.id = "bad id!";
  p.gender = "M";
  p.birth_date = "15/03/1978";
  p.meta = Meta{.last_updated = "2026-11-20"};
  p.name.push_back({.given = {""}});
  issue_list l;
  EXPECT_FALSE(validate(p, l));
  EXPECT_TRUE(has(l, issue_code::value, "Patient.id")) << dump(l);
  EXPECT_TRUE(has(l, issue_code::code_invalid, "Patient.gender")) << dump(l);
  EXPECT_TRUE(has(l, issue_code::value, "Patient.birthDate")) << dump(l);
  EXPECT_TRUE(has(l, issue_code::value, "Patient.meta.lastUpdated")) << dump(l);
  EXPECT_TRUE(has(l, issue_code::structure, "Patient.name[0]")) << dump(l);
  EXPECT_TRUE(is_valid_primitive(prim::uuid, "urn:uuid:6f1c4b8e-2d3a-5e7f-9a41-b2c7d0e85f13"));
  EXPECT_FALSE(is_valid_primitive(prim::uri, "has space"));
  EXPECT_TRUE(is_valid_primitive(prim::base64, "aGVsbG8="));
  EXPECT_FALSE(is_valid_primitive(prim::base64, "aGVsbG8"));
  EXPECT_FALSE(is_valid_primitive(prim::code, " x"));
  EXPECT_FALSE(is_valid_primitive(prim::code, "a\t\tb"));
  EXPECT_TRUE(is_valid_primitive(prim::code, "text/plain; charset=utf-8"));
  Patient bad_text;
  bad_text.name.push_back({.text = "Nguy\xff"});
  l.clear();
  EXPECT_FALSE(validate(bad_text, l));
  EXPECT_TRUE(has(l, issue_code::value, "Patient.name[0].text")) << dump(l);
}

TEST(validate, invariants) {
  Period bad{.start = "2026-11-21", .end = "2026-11-20"};
  Encounter e = samples::encounter_resource();
  e.period = bad;
  issue_list l;
  EXPECT_FALSE(validate(e, l));
  EXPECT_TRUE(has(l, issue_code::invariant, "Encounter.period")) << dump(l);
  Patient p;
  p.extension.push_back({.url = "http://x"});
  l.clear();
  EXPECT_FALSE(validate(p, l));
  EXPECT_TRUE(has(l, issue_code::invariant, "Patient.extension[0]")) << dump(l);
}

TEST(validate, bundle_references_and_rules) {
  Bundle b;
  b.type = "transaction";
  Patient p = samples::patient();
  p.managing_organization.reset();
  std::string pid = p.id;
  b.entry.push_back(
      {.full_url = urn_uuid(pid), .resource = p, .request = Bundle::Request{.method = "PUT", .url = "Patient/" + pid}});
  Condition c = samples::condition();
  c.subject = {.reference = urn_uuid(pid)};
  c.encounter = Reference{.reference = "urn:uuid:00000000-0000-5000-8000-000000000000"};
  c.recorder = Reference{.reference = "Practitioner/123"};
  b.entry.push_back({.full_url = urn_uuid(pid), .resource = c});  // duplicate fullUrl, no request
  b.total = 2;
  issue_list l;
  EXPECT_FALSE(validate(b, l));
  EXPECT_TRUE(has(l, issue_code::not_found, "Bundle.entry[1].resource.encounter.reference")) << dump(l);
  EXPECT_FALSE(has(l, issue_code::not_found, "Bundle.entry[1].resource.subject.reference")) << dump(l);
  EXPECT_TRUE(has(l, issue_code::duplicate, "Bundle.entry[1].fullUrl")) << dump(l);
  EXPECT_TRUE(has(l, issue_code::required, "Bundle.entry[1]")) << dump(l);
  EXPECT_TRUE(has(l, issue_code::invariant, "Bundle.total")) << dump(l);
  EXPECT_FALSE(has(l, issue_code::not_found, "Bundle.entry[1].resource.recorder.reference")) << dump(l);
  l.clear();
  validate(b, l, validate_settings{.require_local_references = true});
  EXPECT_TRUE(has(l, issue_code::not_found, "Bundle.entry[1].resource.recorder.reference")) << dump(l);

  // References inside a nested Bundle resolve against that Bundle only.
  Bundle outer;
  outer.type = "collection";
  Patient op = samples::patient();
  op.managing_organization.reset();
  outer.entry.push_back({.full_url = urn_uuid(op.id), .resource = op});
  Condition oc = samples::condition();
  oc.subject = {.reference = urn_uuid(op.id)};
  oc.encounter.reset();
  outer.entry.push_back({.full_url = urn_uuid(oc.id), .resource = oc});
  Bundle inner;
  inner.type = "collection";
  inner.entry.push_back({.full_url = urn_uuid(stable_id("x", "1")), .resource = samples::organization()});
  outer.entry.push_back({.full_url = urn_uuid(stable_id("x", "2")), .resource = inner});
  l.clear();
  EXPECT_TRUE(validate(outer, l)) << dump(l);

  Condition bad_ref = samples::condition();
  bad_ref.subject.reference = "patient 1";
  l.clear();
  validate(bad_ref, l);
  EXPECT_TRUE(has(l, issue_code::value, "Condition.subject.reference")) << dump(l);
}

TEST(validate, operation_outcome_from_issues) {
  issue_list l{{severity::error, issue_code::required, "Patient.name[0].text", "missing", {}},
               {severity::warning, issue_code::value, "PID^1^7", "bad date", hl7_error::data_type_error},
               {severity::information, issue_code::informational, "", "note", {}}};
  OperationOutcome oo = to_operation_outcome(l);
  ASSERT_EQ(oo.issue.size(), 3u);
  EXPECT_EQ(oo.issue[0].severity, "error");
  EXPECT_EQ(oo.issue[0].code, "required");
  EXPECT_EQ(oo.issue[0].expression, std::vector<std::string>{"Patient.name[0].text"});
  EXPECT_EQ(oo.issue[1].location, std::vector<std::string>{"PID^1^7"});
  EXPECT_TRUE(oo.issue[2].location.empty() && oo.issue[2].expression.empty());
  issue_list v;
  EXPECT_TRUE(validate(oo, v)) << dump(v);
  OperationOutcome empty = to_operation_outcome({});
  ASSERT_EQ(empty.issue.size(), 1u);
  EXPECT_EQ(empty.issue[0].code, "informational");
}

}  // namespace gw::fhir
