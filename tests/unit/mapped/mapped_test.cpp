// The mapping engine on the two private hospitals' samples (golden Bundles, R4-valid, stable ids
// shared with the other adapters), its transforms, FHIR paths, and bad input: every problem is an
// issue that names the line and column or the JSON Pointer, never a crash.
#include <gtest/gtest.h>

#include <algorithm>

#include "adapters/mapped/fhir_path.hpp"
#include "adapters/mapped/translate.hpp"
#include "fhir/ids.hpp"
#include "tests/unit/mapped/test_util.hpp"

namespace gw::mapped {
namespace {

using namespace gw::mapped::test;
using fhir::severity;

template <class T>
std::vector<const T*> all_of_type(const fhir::Bundle& b) {
  std::vector<const T*> out;
  for (const auto& e : b.entry)
    if (const auto* r = e.resource.get_if<T>()) out.push_back(r);
  return out;
}

TEST(mapped_golden, facility_42021_json_export) {
  auto t = translate(sample("mapped/42021/visits-2026-11-22.json"), settings_of("42021"), context_of("42021"));
  ASSERT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
  check_golden("mapped", "42021-visits", t.bundle);
  // The same person and visit get the ids every adapter gives them.
  auto patients = all_of_type<fhir::Patient>(t.bundle);
  ASSERT_EQ(patients.size(), 2u);
  EXPECT_EQ(patients[0]->id, fhir::patient_id_from_cccd("042088003456"));
  EXPECT_EQ(patients[1]->id, fhir::facility_patient_id("42021", "P-009870"));
  auto encounters = all_of_type<fhir::Encounter>(t.bundle);
  ASSERT_EQ(encounters.size(), 2u);
  EXPECT_EQ(encounters[0]->id, fhir::encounter_id("42021", "A21-2611-0005"));
  EXPECT_EQ(encounters[0]->subject->reference, "Patient/" + patients[0]->id);
  auto conditions = all_of_type<fhir::Condition>(t.bundle);
  ASSERT_EQ(conditions.size(), 3u);
  EXPECT_EQ(conditions[0]->id, fhir::condition_id(encounters[0]->id, "J18.9", "principal"));
  EXPECT_EQ(patients[0]->name[0].text, "Nguyễn Văn Thử");
  EXPECT_EQ(patients[0]->name[0].family, "Nguyễn");
  EXPECT_EQ(patients[0]->birth_date, "1988-03-12");
  EXPECT_EQ(patients[1]->birth_date, "1961");  // partial date stays partial
  EXPECT_EQ(encounters[0]->period->start, "2026-11-20T08:10:00+07:00");
  // Report: counts per type, a field that no rule reads.
  EXPECT_EQ(t.report.records, 2u);
  EXPECT_EQ(t.report.resources.at("Observation"), 2u);
  EXPECT_EQ(t.report.unmapped.count("/nurse_note"), 1u);
  EXPECT_EQ(t.report.unmapped.count("/export"), 0u);   // outside the records
  EXPECT_EQ(t.report.unmapped.count("/outcome"), 0u);  // ignored on purpose
}

TEST(mapped_golden, facility_42022_delimited_export) {
  auto t = translate(sample("mapped/42022/export-20261123.txt"), settings_of("42022"), context_of("42022"));
  ASSERT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
  check_golden("mapped", "42022-export", t.bundle);
  auto patients = all_of_type<fhir::Patient>(t.bundle);
  ASSERT_EQ(patients.size(), 2u);
  EXPECT_EQ(patients[0]->id, fhir::patient_id_from_cccd("042175009876"));
  EXPECT_EQ(patients[0]->address[0].text, "Thôn Yên Hồ | xã Đức Thọ, tỉnh Hà Tĩnh");  // quoted delimiter
  EXPECT_EQ(all_of_type<fhir::Condition>(t.bundle).size(), 3u);
  EXPECT_EQ(all_of_type<fhir::Observation>(t.bundle).size(), 2u);
  EXPECT_TRUE(t.report.unmapped.empty());
  EXPECT_EQ(t.report.required_missing, 0u);
}

TEST(mapped_golden, translation_is_deterministic_and_idempotent) {
  const auto body = sample("mapped/42022/export-20261123.txt");
  auto a = translate(body, settings_of("42022"), context_of("42022"));
  auto b = translate(body, settings_of("42022"), context_of("42022"));
  EXPECT_EQ(fhir::to_json(a.bundle), fhir::to_json(b.bundle));
}

TEST(mapped_report, every_rule_says_what_it_produced) {
  auto t = translate(sample("mapped/42021/visits-2026-11-22.json"), settings_of("42021"), context_of("42021"));
  auto it = std::find_if(t.report.fields.begin(), t.report.fields.end(),
                         [](const field_report& f) { return f.target == "Patient.id (cccd)"; });
  ASSERT_NE(it, t.report.fields.end());
  EXPECT_EQ(it->values, 1u);
  EXPECT_EQ(it->missing, 1u);  // the second patient has no CCCD
  EXPECT_NE(it->where.find("42021.yaml:"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------------------------

TEST(mapped_bad_input, wrong_delimiter_names_the_line_and_suggests_the_delimiter) {
  std::string body = sample("mapped/42022/export-20261123.txt");
  std::replace(body.begin(), body.end(), '|', ';');
  auto t = translate(body, settings_of("42022"), context_of("42022"));
  ASSERT_TRUE(fhir::has_errors(t.issues));
  EXPECT_TRUE(has_issue_at(t.issues, "line 1 column 1", severity::error)) << describe(t.issues);
  EXPECT_NE(describe(t.issues).find("delimiter"), std::string::npos);
  EXPECT_TRUE(t.bundle.entry.size() <= 1u);  // at most the Organization
}

TEST(mapped_bad_input, ragged_row_names_line_and_column) {
  std::string body = "V|B22-1|042175009876|BN-1|PHAN THỊ HOA|1975-08-30|F|x|0905|2026-11-19 14:20|\n";
  auto t = translate(body, settings_of("42022"), context_of("42022"));
  ASSERT_TRUE(fhir::has_errors(t.issues));
  EXPECT_TRUE(has_issue_at(t.issues, "line 1 column 12", severity::error)) << describe(t.issues);
}

TEST(mapped_bad_input, invalid_utf8_names_line_and_column) {
  std::string body = sample("mapped/42022/export-20261123.txt");
  body += "DP|B22-000318|I10|T\xe3ng huy\xea\xff\n";  // a Windows code page, not UTF-8
  auto t = translate(body, settings_of("42022"), context_of("42022"));
  EXPECT_TRUE(has_issue_at(t.issues, "line 8 column 4", severity::error)) << describe(t.issues);
}

TEST(mapped_bad_input, line_for_an_unknown_visit_and_unknown_type) {
  std::string body = sample("mapped/42022/export-20261123.txt") + "L|NOPE|GLU|x|1|u|r|2026-11-19 16:00\nZZ|x\n";
  auto t = translate(body, settings_of("42022"), context_of("42022"));
  EXPECT_TRUE(has_issue_at(t.issues, "line 8 column 2", severity::error)) << describe(t.issues);
  EXPECT_TRUE(has_issue_at(t.issues, "line 9 column 1", severity::error)) << describe(t.issues);
}

TEST(mapped_bad_input, huge_field_is_refused_with_its_place) {
  auto s = settings_of("42022");
  s.limits.max_field_bytes = 1024;
  std::string body =
      "V|B22-1|042175009876|BN-1|" + std::string(5000, 'A') + "|1975-08-30|F|x|0905|2026-11-19 14:20||NOI\n";
  auto t = translate(body, s, context_of("42022"));
  ASSERT_TRUE(fhir::has_errors(t.issues));
  EXPECT_TRUE(has_issue_at(t.issues, "line 1 column 5", severity::error)) << describe(t.issues);
  auto j = settings_of("42021");
  j.limits.max_field_bytes = 1024;
  auto u = translate(R"({"visits":[{"visit_no":"A","admitted":"20/11/2026 08:10","patient":{"id":"P","full_name":")" +
                         std::string(5000, 'x') + R"("}}]})",
                     j, context_of("42021"));
  EXPECT_TRUE(has_issue_at(u.issues, "/visits/0/patient/full_name", severity::error)) << describe(u.issues);
}

TEST(mapped_bad_input, json_array_where_an_object_was_expected) {
  auto t = translate(R"({"visits":[{"visit_no":"A","admitted":"20/11/2026 08:10","patient":[{"id":"P"}]}]})",
                     settings_of("42021"), context_of("42021"));
  ASSERT_TRUE(fhir::has_errors(t.issues));
  EXPECT_TRUE(has_issue_at(t.issues, "/visits/0/patient", severity::error)) << describe(t.issues);
  EXPECT_NE(describe(t.issues).find("is an array"), std::string::npos);
  // The whole document an array: the records pointer names what it found.
  auto u = translate(R"([{"visit_no":"A"}])", settings_of("42021"), context_of("42021"));
  EXPECT_TRUE(has_issue_at(u.issues, "/visits", severity::error)) << describe(u.issues);
  // A record that is not an object.
  auto v = translate(R"({"visits":[[1,2]]})", settings_of("42021"), context_of("42021"));
  EXPECT_TRUE(has_issue_at(v.issues, "/visits/0", severity::error)) << describe(v.issues);
}

TEST(mapped_bad_input, bad_values_are_located_errors) {
  auto t = translate(
      R"({"visits":[{"visit_no":"A","admitted":"31/02/2026 08:10","patient":{"id":"P","full_name":"X Y","dob":"1988-03-12","sex":"Q"},)"
      R"("labs":[{"order":"1","code":"G","value":"sáu"}]}]})",
      settings_of("42021"), context_of("42021"));
  EXPECT_TRUE(has_issue_at(t.issues, "/visits/0/admitted", severity::error)) << describe(t.issues);
  EXPECT_TRUE(has_issue_at(t.issues, "/visits/0/patient/dob", severity::error)) << describe(t.issues);
  EXPECT_TRUE(has_issue_at(t.issues, "/visits/0/patient/sex", severity::warning)) << describe(t.issues);
  EXPECT_TRUE(has_issue_at(t.issues, "/visits/0/labs/0/value", severity::error)) << describe(t.issues);
}

TEST(mapped_bad_input, required_field_missing_and_no_patient_identity) {
  auto t = translate(R"({"visits":[{"visit_no":"A","patient":{"full_name":"X Y"}}]})", settings_of("42021"),
                     context_of("42021"));
  EXPECT_TRUE(has_issue_at(t.issues, "/visits/0/patient/id", severity::error)) << describe(t.issues);
  EXPECT_GE(t.report.required_missing, 1u);
}

TEST(mapped_bad_input, not_json_and_too_deep) {
  auto t = translate("{\"visits\": [", settings_of("42021"), context_of("42021"));
  ASSERT_TRUE(fhir::has_errors(t.issues));
  EXPECT_NE(t.issues[0].location.find("line 1"), std::string::npos);
  std::string deep = "{\"visits\":" + std::string(200, '[') + std::string(200, ']') + "}";
  auto u = translate(deep, settings_of("42021"), context_of("42021"));
  EXPECT_TRUE(fhir::has_errors(u.issues)) << describe(u.issues);
}

// ---------------------------------------------------------------------------------------------
// Paths into the FHIR model
// ---------------------------------------------------------------------------------------------

TEST(mapped_paths, check_path_knows_the_model) {
  EXPECT_EQ(check_path("Patient", "birthDate"), "");
  EXPECT_EQ(check_path("Patient", "Patient.name[0].given[1]"), "");
  EXPECT_EQ(check_path("Observation", "valueQuantity.value"), "");
  EXPECT_EQ(check_path("Observation", "component[1].valueQuantity.code"), "");
  EXPECT_NE(check_path("Patient", "birthdate"), "");
  EXPECT_NE(check_path("Patient", "name"), "");           // not a primitive
  EXPECT_NE(check_path("Patient", "gender.code"), "");    // a primitive has no children
  EXPECT_NE(check_path("Observation", "valueFoo"), "");   // no such choice type
  EXPECT_NE(check_path("Patient", "name[99].text"), "");  // index bound
  EXPECT_NE(check_path("Patient", "birthDate[0]"), "");   // not a list
  EXPECT_NE(check_path("Spaceship", "id"), "");
  EXPECT_NE(check_path("Bundle", "type"), "");
}

TEST(mapped_paths, set_path_parses_numbers_and_booleans) {
  auto r = make_resource("Observation");
  EXPECT_EQ(set_path(r, "valueQuantity.value", "38.5"), "");
  EXPECT_NE(set_path(r, "valueQuantity.value", "high"), "");
  auto p = make_resource("Patient");
  EXPECT_EQ(set_path(p, "active", "true"), "");
  EXPECT_NE(set_path(p, "active", "yes please"), "");
  EXPECT_EQ(p.get_if<fhir::Patient>()->active, true);
}

}  // namespace
}  // namespace gw::mapped
